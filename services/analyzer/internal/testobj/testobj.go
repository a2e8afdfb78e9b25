// Package testobj builds the Kubernetes objects the Analyzer's unit tests
// and benchmarks put in a state.Static cache: nodes of a group, pods with
// owners, budgets and volumes. Each builder returns one valid object that
// a test then changes one field of.
package testobj

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// Epoch is when every test object was created, unless changed.
var Epoch = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Node is a Ready, schedulable node of group running offering, with 4 CPU
// and 8 GiB allocatable and a VPSie providerID derived from its name.
func Node(name, group, offering string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:              name,
			UID:               types.UID("uid-" + name),
			CreationTimestamp: metav1.NewTime(Epoch),
			Labels: map[string]string{
				v1alpha1.LabelNodeGroup:    group,
				v1alpha1.LabelInstanceType: offering,
				corev1.LabelHostname:       name,
			},
		},
		Spec: corev1.NodeSpec{ProviderID: v1alpha1.ProviderID("vm-" + name)},
		Status: corev1.NodeStatus{
			Capacity:    resources("4", "8Gi", "110"),
			Allocatable: resources("4", "8092Mi", "110"),
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
		},
	}
}

func resources(cpu, mem, pods string) corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem),
		corev1.ResourcePods: resource.MustParse(pods),
	}
}

// Pod is a running bare pod on node requesting 100m and 128Mi, labelled
// app=<name>.
func Pod(namespace, name, node string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: namespace, Name: name, UID: types.UID("uid-" + namespace + "-" + name),
			Labels: map[string]string{"app": name}, CreationTimestamp: metav1.NewTime(Epoch),
		},
		Spec: corev1.PodSpec{
			NodeName: node,
			Containers: []corev1.Container{{Name: "app", Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
			}}},
		},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
}

// Requests sets the pod's one container's requests.
func Requests(p *corev1.Pod, cpu, mem string) *corev1.Pod {
	p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem),
	}
	return p
}

// OwnedBy makes kind/name the pod's controller.
func OwnedBy(p *corev1.Pod, kind, name string) *corev1.Pod {
	p.OwnerReferences = []metav1.OwnerReference{{
		APIVersion: "apps/v1", Kind: kind, Name: name, UID: types.UID("uid-" + name), Controller: ptr.To(true),
	}}
	return p
}

// Deployment returns a Deployment of replicas, its ReplicaSet, and one pod
// per node given (labelled app=<name>), as the controllers would make them.
func Deployment(namespace, name string, replicas int32, nodes ...string) (*appsv1.Deployment, *appsv1.ReplicaSet, []*corev1.Pod) {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, UID: types.UID("uid-" + name)},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To(replicas)},
	}
	rsName := name + "-5d8f9c"
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: rsName, UID: types.UID("uid-" + rsName),
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: name,
				UID: d.UID, Controller: ptr.To(true)}}},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To(replicas)},
	}
	pods := make([]*corev1.Pod, len(nodes))
	for i, n := range nodes {
		pods[i] = OwnedBy(Pod(namespace, fmt.Sprintf("%s-%d", rsName, i), n), "ReplicaSet", rsName)
		pods[i].Labels = map[string]string{"app": name}
	}
	return d, rs, pods
}

// PDB selects app=<app> in namespace, expecting `expected` pods, all
// healthy, and allowing `allowed` disruptions: minAvailable is the rest.
func PDB(namespace, name, app string, expected, allowed int32) *policyv1.PodDisruptionBudget {
	minAvailable := intstr.FromInt32(expected - allowed)
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Generation: 1},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: &minAvailable,
			Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}},
		},
		Status: policyv1.PodDisruptionBudgetStatus{
			ObservedGeneration: 1, DisruptionsAllowed: allowed,
			CurrentHealthy: expected, DesiredHealthy: expected - allowed, ExpectedPods: expected,
		},
	}
}

// NodeGroup is an enabled group in dc-nyc1 of min 1, max 10 nodes, in
// the managed mode in cluster ClusterID, with the policy left to its
// defaults.
func NodeGroup(namespace, name string) *v1alpha1.NodeGroup {
	return &v1alpha1.NodeGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Generation: 3,
			CreationTimestamp: metav1.NewTime(Epoch)},
		Spec: v1alpha1.NodeGroupSpec{
			MinNodes: 1, MaxNodes: 10, Datacenter: "dc-nyc1",
			OfferingIDs:  []string{"standard-8", "compute-4"},
			Provisioning: v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningManaged, ClusterID: ClusterID},
		},
		Status: v1alpha1.NodeGroupStatus{ObservedGeneration: 3},
	}
}

// StatefulSet wants replicas pods.
func StatefulSet(namespace, name string, replicas int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, UID: types.UID("uid-" + name)},
		Spec:       appsv1.StatefulSetSpec{Replicas: ptr.To(replicas)},
	}
}
