package sandbox_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// The scenario every drain depends on: a PDB of minAvailable 2 over 3
// replicas lets exactly one pod go, the API server says so with 201 then
// 429, and the controllers put the evicted pod back on another node.
func TestEvictionRespectsPDBAndPodIsRescheduled(t *testing.T) {
	t.Parallel()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	fixtures.CreateGroup(t, sb, fixtures.Group{Namespace: ns, Offering: fixtures.Standard8, Nodes: 3})
	ctx := t.Context()
	_, err := sb.Client.AppsV1().Deployments(ns).Create(ctx, fixtures.Deployment(ns, "web", ns, 3), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = sb.Client.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, fixtures.PDBMinAvailable(ns, "web", 2), metav1.CreateOptions{})
	require.NoError(t, err)
	pods := fixtures.WaitPodsRunning(t, sb, ns, "app=web", 3)
	pdb := fixtures.WaitPDBSettled(t, sb, ns, "web")
	require.EqualValues(t, 1, pdb.Status.DisruptionsAllowed)

	// Drain order: cordon first, so the replacement cannot land here.
	drained := pods[0].Spec.NodeName
	cordon(t, sb, drained)
	require.Equal(t, http.StatusCreated, evict(t, sb, &pods[0]))
	require.Equal(t, http.StatusTooManyRequests, evict(t, sb, &pods[1]))

	var replacement corev1.Pod
	fixtures.Eventually(t, "a replacement pod running", func(ctx context.Context) (bool, error) {
		list, err := sb.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, err
		}
		for _, p := range list.Items {
			if p.UID != pods[0].UID && p.UID != pods[1].UID && p.UID != pods[2].UID && fixtures.PodRunning(&p) {
				replacement = p
				return true, nil
			}
		}
		return false, nil
	})
	require.NotEqual(t, drained, replacement.Spec.NodeName)
}

// evict asks the Eviction API to evict pod and returns the HTTP status.
func evict(t *testing.T, sb *sandbox.Sandbox, pod *corev1.Pod) int {
	t.Helper()
	eviction := &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name}}
	var code int
	err := sb.Client.CoreV1().RESTClient().Post().
		Namespace(pod.Namespace).Resource("pods").Name(pod.Name).SubResource("eviction").
		Body(eviction).Do(t.Context()).StatusCode(&code).Error()
	if code == 0 {
		require.NoError(t, err)
	}
	return code
}

func cordon(t *testing.T, sb *sandbox.Sandbox, node string) {
	t.Helper()
	_, err := sb.Client.CoreV1().Nodes().Patch(t.Context(), node, types.StrategicMergePatchType,
		[]byte(`{"spec":{"unschedulable":true}}`), metav1.PatchOptions{})
	require.NoError(t, err)
}
