package testobj

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Cluster returns a cluster for benchmarks: groups NodeGroups "g0", "g1",
// … (namespace "ns-<group>"), each of nodesPerGroup standard-8 nodes,
// each node running a DaemonSet pod and podsPerNode−1 pods of ten
// Deployments per group, each Deployment under a PDB. Objects carry the
// managed fields a real API server writes, so memory figures are honest.
func Cluster(groups, nodesPerGroup, podsPerNode int) []runtime.Object {
	var out []runtime.Object
	const deploymentsPerGroup = 10
	for g := range groups {
		group := fmt.Sprintf("g%d", g)
		ns := "ns-" + group
		out = append(out, NodeGroup(ns, group))
		var nodes []string
		for n := range nodesPerGroup {
			node := Node(fmt.Sprintf("%s-node-%03d", group, n), group, "standard-8")
			managed(&node.ObjectMeta)
			nodes = append(nodes, node.Name)
			out = append(out, node)
			agent := OwnedBy(Pod(ns, "agent-"+node.Name, node.Name), "DaemonSet", "agent")
			managed(&agent.ObjectMeta)
			out = append(out, agent)
		}
		perDeployment := nodesPerGroup * (podsPerNode - 1) / deploymentsPerGroup
		for d := range deploymentsPerGroup {
			app := fmt.Sprintf("app-%d", d)
			placement := make([]string, perDeployment)
			for i := range placement {
				placement[i] = nodes[(d*perDeployment+i)%len(nodes)]
			}
			deploy, rs, pods := Deployment(ns, app, int32(perDeployment), placement...)
			out = append(out, deploy, rs, PDB(ns, app, app, int32(perDeployment), 1))
			for _, p := range pods {
				managed(&p.ObjectMeta)
				out = append(out, p)
			}
		}
	}
	return out
}

// managedFields is the size of a typical pod's entries (about 2 KiB).
var managedFields = `{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{` +
	strings.Repeat(`"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{},"f:resources":{"f:requests":{}}},`, 20) + `"x":{}}}}`

func managed(m *metav1.ObjectMeta) {
	m.ManagedFields = []metav1.ManagedFieldsEntry{
		{Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate, FieldsType: "FieldsV1",
			FieldsV1: metav1.NewFieldsV1(managedFields)},
		{Manager: "kubelet", Operation: metav1.ManagedFieldsOperationUpdate, Subresource: "status", FieldsType: "FieldsV1",
			FieldsV1: metav1.NewFieldsV1(managedFields)},
	}
}

// PodsIn counts the pods among objects.
func PodsIn(objects []runtime.Object) int {
	n := 0
	for _, o := range objects {
		if _, ok := o.(*corev1.Pod); ok {
			n++
		}
	}
	return n
}
