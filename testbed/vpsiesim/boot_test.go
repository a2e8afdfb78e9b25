package vpsiesim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

const bootDelay = 90 * time.Second // long on purpose: only the fake clock moves it

// booting starts a simulator on a fake clock, joining a fake cluster.
func booting(t *testing.T) (*vpsiesim.Server, *clocktesting.FakeClock, *fake.Clientset) {
	t.Helper()
	clk := clocktesting.NewFakeClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	kube := fake.NewClientset()
	return start(t, vpsiesim.Options{Clock: clk, Kube: kube, BootDelay: bootDelay, JoinToken: joinToken}), clk, kube
}

func nodes(t *testing.T, kube *fake.Clientset) []corev1.Node {
	t.Helper()
	list, err := kube.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	return list.Items
}

func state(t *testing.T, srv *vpsiesim.Server) string {
	t.Helper()
	return vms(t, srv)[0]["state"].(string)
}

func TestABootedVMJoinsAsAKwokNode(t *testing.T) {
	t.Parallel()
	srv, clk, kube := booting(t)
	taint := corev1.Taint{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule}
	labels := map[string]string{v1alpha1.LabelNodeGroup: "web"}
	call(t, srv, token, http.MethodPost, "/api/v2/vm", joinBody("web-1", labels, []corev1.Taint{taint}))

	clk.Step(bootDelay - time.Second)
	require.Equal(t, "building", state(t, srv))
	require.Empty(t, nodes(t, kube), "no node before the boot delay")

	clk.Step(time.Second)
	eventually(t, func() bool { return len(nodes(t, kube)) == 1 }, "the VM joins once booted")
	require.Equal(t, "running", state(t, srv))
	n := nodes(t, kube)[0]
	id := vms(t, srv)[0]["identifier"].(string)
	require.Equal(t, "web-1", n.Name)
	require.Equal(t, "vpsie://"+id, n.Spec.ProviderID)
	require.Equal(t, "web", n.Labels[v1alpha1.LabelNodeGroup])
	require.Equal(t, "compute-4", n.Labels[v1alpha1.LabelInstanceType])
	require.Equal(t, v1alpha1.KwokNodeValue, n.Annotations[v1alpha1.AnnotationKwokNode])
	require.Equal(t, []corev1.Taint{taint}, n.Spec.Taints)
	for _, list := range []corev1.ResourceList{n.Status.Capacity, n.Status.Allocatable} {
		require.True(t, resource.MustParse("4").Equal(list[corev1.ResourceCPU]))
		require.True(t, resource.MustParse("8Gi").Equal(list[corev1.ResourceMemory]))
		require.True(t, resource.MustParse("110").Equal(list[corev1.ResourcePods]))
	}
	// The Node shows before the simulator counts it: poll.
	eventually(t, func() bool { return srv.Stats().NodesJoined == 1 }, "the join is counted")
}

func TestDeletingAVMRemovesItsNode(t *testing.T) {
	t.Parallel()
	srv, clk, kube := booting(t)
	call(t, srv, token, http.MethodPost, "/api/v2/vm", joinBody("web-1", nil, nil))
	clk.Step(bootDelay)
	eventually(t, func() bool { return len(nodes(t, kube)) == 1 }, "the VM joins")

	r := call(t, srv, token, http.MethodDelete, "/api/v2/vm", map[string]any{"vmIdentifier": vms(t, srv)[0]["identifier"]})
	require.False(t, r.Error, r.Message)
	require.Empty(t, nodes(t, kube), "the Node is gone when the delete answers")
	require.Equal(t, 1, srv.Stats().NodesRemoved)
}

func TestAVMDeletedWhileBuildingNeverJoins(t *testing.T) {
	t.Parallel()
	srv, clk, kube := booting(t)
	call(t, srv, token, http.MethodPost, "/api/v2/vm", joinBody("web-1", nil, nil))
	call(t, srv, token, http.MethodDelete, "/api/v2/vm", map[string]any{"vmIdentifier": vms(t, srv)[0]["identifier"]})
	clk.Step(2 * bootDelay)
	require.Never(t, func() bool { return len(nodes(t, kube)) > 0 }, 100*time.Millisecond, 10*time.Millisecond)
}

func TestAVMThatNeverJoinsStillBoots(t *testing.T) {
	t.Parallel()
	srv, clk, kube := booting(t)
	require.NoError(t, srv.NeverJoin("web-lost"))
	call(t, srv, token, http.MethodPost, "/api/v2/vm", joinBody("web-lost", nil, nil))
	clk.Step(bootDelay)
	eventually(t, func() bool { return state(t, srv) == "running" }, "it boots")
	require.Never(t, func() bool { return len(nodes(t, kube)) > 0 }, 100*time.Millisecond, 10*time.Millisecond)
}

func TestWithoutAClusterVMsBootAndJoinNothing(t *testing.T) {
	t.Parallel()
	clk := clocktesting.NewFakeClock(time.Now())
	srv := start(t, vpsiesim.Options{Clock: clk, BootDelay: bootDelay})
	call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody("web-1"))
	clk.Step(bootDelay)
	eventually(t, func() bool { return state(t, srv) == "running" }, "it boots")
	require.Zero(t, srv.Stats().NodesJoined)
}

func TestAVMWithoutTheJoinTokenBootsButNeverJoins(t *testing.T) {
	t.Parallel()
	srv, clk, kube := booting(t)
	tags := cloud.EncodeTags(map[string]string{v1alpha1.LabelNodeGroup: "web"}, nil)
	call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody("web-tagged-only", tags...))
	b := createBody("web-wrong-token")
	b["userData"] = vpsiesim.BootstrapUserData("another-token", nil, nil)
	call(t, srv, token, http.MethodPost, "/api/v2/vm", b)
	clk.Step(bootDelay)
	eventually(t, func() bool { return state(t, srv) == "running" }, "it boots")
	require.Never(t, func() bool { return len(nodes(t, kube)) > 0 }, 100*time.Millisecond, 10*time.Millisecond)
}
