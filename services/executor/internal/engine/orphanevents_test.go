package engine

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeevents "k8s.io/client-go/tools/events"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// Issue 17: each orphan adopted or deleted gets a Kubernetes Event on its
// NodeGroup (and its Node, when one registered) naming the machine, its
// execution and the old node, besides its metric.
func TestReclaimTellsEachOrphanActionInAKubernetesEvent(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx, now := t.Context(), u.clock.Now()
	c := &taggedCloud{vms: []cloud.VM{taggedVM("vm-lost", DefaultInstallation, "exec-gone", now.Add(-time.Hour))}}
	node := readyNode()
	node.Name, node.Labels, node.Spec.ProviderID = "lost", map[string]string{v1alpha1.LabelNodeGroup: "web"}, v1alpha1.ProviderID("vm-lost")
	_, err := u.kube.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	require.NoError(t, err)
	rec := kubeevents.NewFakeRecorder(10)
	deps := *u.x.deps
	deps.Cloud = c
	deps.Story = newKubeStory(rec, u.kube, u.groups, "", slog.New(slog.DiscardHandler))
	t.Cleanup(deps.Story.Stop)
	e := New(deps, u.x.deps.checker, nil)
	t.Cleanup(e.Stop)

	// minNodes 1 and no other serving member: adopted.
	require.NoError(t, e.reclaimOrphans(ctx))
	want := "Warning OrphanAdopted Orphan VM vm-lost (execution exec-gone, replacement for old node old-0) adopted: " +
		"its execution exec-gone is missing from the store; Ready, and its group is below its minNodes without it"
	require.Equal(t, []string{want, want}, drain(rec), "on the group and on the node")

	// The node gone and the VM still there: deleted.
	require.NoError(t, u.kube.CoreV1().Nodes().Delete(ctx, "lost", metav1.DeleteOptions{}))
	require.NoError(t, e.reclaimOrphans(ctx))
	require.Equal(t, []string{"Warning OrphanDeleted Orphan VM vm-lost (execution exec-gone, " +
		"replacement for old node old-0) deleted: its execution exec-gone is missing from the store"}, drain(rec), "on the group")
}

// drain is what rec holds now.
func drain(rec *kubeevents.FakeRecorder) []string {
	var out []string
	for {
		select {
		case e := <-rec.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}
