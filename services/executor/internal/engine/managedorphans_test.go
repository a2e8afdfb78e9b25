package engine

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeevents "k8s.io/client-go/tools/events"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// Seeds 1022 and 1029: nodes VPSie added for an execution that no lane
// claimed (one never registered, one registered after its lane gave up)
// are reclaimed once the cluster's executions ended, after the grace;
// a member, and a node added after the execution ended, are not.
func TestReclaimDeletesManagedNodesNoLaneClaimed(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx := t.Context()
	cluster := u.cloud.AddKubeCluster("c", catalog.NYC1)
	target, err := u.cloud.AddKubeGroup(cluster, "g-compute-4", "compute-4")
	require.NoError(t, err)
	addNode := func() cloud.KubeNode {
		require.NoError(t, u.cloud.AddKubeNode(ctx, cluster, target.ID))
		nodes := u.cloud.KubeNodes(cluster)
		time.Sleep(time.Millisecond) // the fake stamps nodes with the wall clock
		return nodes[len(nodes)-1]
	}
	started := time.Now()
	time.Sleep(time.Millisecond)
	lost, late, member := addNode(), addNode(), addNode()
	ended := time.Now()
	time.Sleep(time.Millisecond)
	after := addNode()
	register := func(kn cloud.KubeNode, labels map[string]string) {
		n := readyNode()
		n.Name, n.Labels, n.Spec.ProviderID = kn.Hostname, labels, kn.ProviderID()
		_, err := u.kube.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	register(late, nil) // after its lane gave up: neither claimed nor labelled
	register(member, map[string]string{v1alpha1.LabelNodeGroup: "web"})

	managed := v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningManaged, ClusterID: cluster}
	u.editGroup(t, func(ng *v1alpha1.NodeGroup) { ng.Spec.Provisioning = managed })
	require.NoError(t, u.x.update(ctx, func(r *store.Record) {
		r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK
		r.State.StartedAt, r.State.CompletedAt = timestamppb.New(started), timestamppb.New(ended)
		r.Book.Provisioning = managed
		r.Book.NodeBook("old-0").ManagedAdd = &store.ManagedAdd{Group: target.ID, Sent: true}
	}))
	setStatus := func(active *v1alpha1.ActiveExecution) {
		ng := u.group(t)
		ng.Status.LastRebalanceTime, ng.Status.ActiveExecution = &metav1.Time{Time: ended}, active
		_, err := u.groups.NodeGroups("shop").UpdateStatus(ctx, ng, metav1.UpdateOptions{})
		require.NoError(t, err)
	}
	setStatus(nil)
	rec := kubeevents.NewFakeRecorder(10)
	deps := *u.x.deps
	deps.Story = newKubeStory(rec, u.kube, u.groups, "", slog.New(slog.DiscardHandler))
	t.Cleanup(deps.Story.Stop)
	e := New(deps, u.x.deps.checker, nil)
	t.Cleanup(e.Stop)
	ids := func() []string {
		var out []string
		for _, kn := range u.cloud.KubeNodes(cluster) {
			out = append(out, kn.ID)
		}
		return out
	}
	all := []string{lost.ID, late.ID, member.ID, after.ID}

	u.clock.SetTime(ended.Add(time.Second))
	require.NoError(t, e.reclaimOrphans(ctx))
	require.Equal(t, all, ids(), "within the grace")

	u.clock.SetTime(ended.Add(DefaultOrphanGrace + time.Second))
	setStatus(&v1alpha1.ActiveExecution{ExecutionID: "exec-2", Installation: DefaultInstallation})
	require.NoError(t, e.reclaimOrphans(ctx))
	require.Equal(t, all, ids(), "an execution runs on the cluster: its adds are not settled")

	setStatus(nil)
	require.NoError(t, e.reclaimOrphans(ctx))
	require.Equal(t, []string{member.ID, after.ID}, ids())
	_, err = u.kube.CoreV1().Nodes().Get(ctx, late.Hostname, metav1.GetOptions{})
	require.True(t, apierrors.IsNotFound(err), "the late node's Node is gone too")
	require.InDelta(t, 2, testutil.ToFloat64(deps.Metrics.OrphansReclaimed.WithLabelValues("deleted", modeManaged)), 0)
	events := drain(rec)
	require.True(t, slices.ContainsFunc(events, func(s string) bool {
		return s == "Warning OrphanDeleted Orphan VPSie node "+lost.ID+" ("+lost.Hostname+") (execution exec-1, claimed by none of its lanes) "+
			"deleted: its execution exec-1 ended ROLLED_BACK without keeping it"
	}), "%q", events)

	require.NoError(t, e.reclaimOrphans(ctx))
	require.Equal(t, []string{member.ID, after.ID}, ids(), "nothing more")
}
