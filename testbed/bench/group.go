package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

const (
	datacenter = catalog.NYC1
	current    = "standard-8"
	target     = "compute-4"
)

// settleTimeout bounds the set-up waits: a hundred VMs boot at once, and
// two thousand pods are scheduled on a loaded machine.
const settleTimeout = 10 * time.Minute

// createGroup makes the vm-mode NodeGroup of namespace with n VMs of the
// current offering, booted with the group's user data, and returns the
// nodes once every one is Ready.
func (w *world) createGroup(t testing.TB, namespace string, n int) []*corev1.Node {
	t.Helper()
	ctx := t.Context()
	_, err := w.sb.Client.CoreV1().Secrets(namespace).Create(ctx, fixtures.BootstrapSecret(namespace, joinToken), metav1.CreateOptions{})
	require.NoError(t, err)
	g := fixtures.Group{Namespace: namespace, Offering: fixtures.Standard8, Nodes: n, Datacenter: datacenter,
		Provisioning: fixtures.VMProvisioning()}
	_, err = w.sb.Autoscaler.NodeGroups(namespace).Create(ctx, g.NodeGroup(), metav1.CreateOptions{})
	require.NoError(t, err)
	c := w.cloud(t)
	o, err := c.GetOffering(ctx, datacenter, current)
	require.NoError(t, err)
	labels := map[string]string{v1alpha1.LabelNodeGroup: namespace}
	want := map[string]bool{}
	for i := range n {
		vm, err := c.CreateVM(ctx, cloud.CreateSpec{Hostname: fmt.Sprintf("%s-%d", namespace, i), OfferingID: o.ID,
			Datacenter: datacenter, Labels: labels, UserData: vpsiesim.BootstrapUserData(joinToken, labels, nil)})
		require.NoError(t, err)
		want[vm.ProviderID()] = true
	}
	t.Cleanup(func() { w.deleteNodes(namespace) })
	return w.waitReady(t, namespace, want)
}

// waitReady waits until every providerID in want is a Ready group node.
func (w *world) waitReady(t testing.TB, group string, want map[string]bool) []*corev1.Node {
	t.Helper()
	var nodes []*corev1.Node
	err := wait.PollUntilContextTimeout(t.Context(), time.Second, settleTimeout, true, func(ctx context.Context) (bool, error) {
		list, err := w.sb.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + group})
		if err != nil {
			return false, nil //nolint:nilerr // a busy API server: look again
		}
		nodes = nodes[:0]
		for i := range list.Items {
			if want[list.Items[i].Spec.ProviderID] && fixtures.NodeReady(&list.Items[i]) {
				nodes = append(nodes, &list.Items[i])
			}
		}
		return len(nodes) == len(want), nil
	})
	require.NoError(t, err, "%d of %d nodes Ready", len(nodes), len(want))
	return nodes
}

// othersOf are the group's Ready nodes other than nodes.
func (w *world) othersOf(t testing.TB, group string, nodes []*corev1.Node) []*corev1.Node {
	t.Helper()
	list, err := w.sb.Client.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + group})
	require.NoError(t, err)
	skip := map[string]bool{}
	for _, n := range nodes {
		skip[n.Name] = true
	}
	var out []*corev1.Node
	for i := range list.Items {
		if !skip[list.Items[i].Name] && fixtures.NodeReady(&list.Items[i]) {
			out = append(out, &list.Items[i])
		}
	}
	return out
}

func (w *world) deleteNodes(group string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = w.sb.Client.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{},
		metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + group})
}

// workloads is the mix for about pods pods over n nodes: a
// DaemonSet (one pod a node), a StatefulSet, a single replica, and
// Deployments of 50 replicas guarded by PDBs that let 10 % go at once.
func workloads(ns string, n, pods int) fixtures.Workloads {
	w := fixtures.Workloads{
		DaemonSets:   []*appsv1.DaemonSet{fixtures.DaemonSet(ns, "agent", ns)},
		StatefulSets: []*appsv1.StatefulSet{fixtures.StatefulSet(ns, "db", ns, int32(max(n/5, 1)))},
		Services:     []*corev1.Service{fixtures.HeadlessService(ns, "db")},
		Deployments:  []*appsv1.Deployment{fixtures.Deployment(ns, "singleton", ns, 1)},
	}
	left := pods - n - max(n/5, 1) - 1
	for i := 0; left > 0; i++ {
		replicas := min(50, left)
		name := fmt.Sprintf("web-%d", i)
		w.Deployments = append(w.Deployments, fixtures.Deployment(ns, name, ns, int32(replicas)))
		w.PDBs = append(w.PDBs, fixtures.PDBMaxUnavailable(ns, name, int32(max(replicas/10, 1))))
		left -= replicas
	}
	return w
}

// createWorkloads creates w and waits until all its pods run.
func (w *world) createWorkloads(t testing.TB, ns string, wl fixtures.Workloads, nodes int) {
	t.Helper()
	wl.Create(t, w.sb)
	want := nodes
	for _, d := range wl.Deployments {
		want += int(*d.Spec.Replicas)
	}
	for _, s := range wl.StatefulSets {
		want += int(*s.Spec.Replicas)
	}
	err := wait.PollUntilContextTimeout(t.Context(), 2*time.Second, settleTimeout, true, func(ctx context.Context) (bool, error) {
		list, err := w.sb.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil //nolint:nilerr // a busy API server: look again
		}
		running := 0
		for i := range list.Items {
			if fixtures.PodRunning(&list.Items[i]) {
				running++
			}
		}
		return running >= want, nil
	})
	require.NoError(t, err, "%d pods running", want)
}
