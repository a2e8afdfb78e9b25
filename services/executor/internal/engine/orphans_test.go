package engine

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

var orphanNow = time.Unix(1_800_000_000, 0)

// orphanVM is a replacement VM of exec-1 for old-0, created an hour ago.
func orphanVM() replacement {
	return replacement{mode: modeVM, id: "vm-new", hostname: "old-0-new", created: orphanNow.Add(-time.Hour),
		of: cloud.Replacement{Installation: DefaultInstallation, Execution: "exec-1", OldNode: "old-0"}}
}

// endedRecord is exec-1 ended in status, an hour ago, its old-0 in phase
// with replacement vm-new.
func endedRecord(status rebalancerv1.ExecutionStatus, phase rebalancerv1.NodePhase) *store.Record {
	return &store.Record{State: &rebalancerv1.ExecutionState{ExecutionId: "exec-1", Status: status,
		CompletedAt: timestamppb.New(orphanNow.Add(-time.Hour)),
		Nodes:       []*rebalancerv1.NodeExecution{{OldNode: "old-0", Phase: phase, NewVmIdentifier: "vm-new", NewHostname: "old-0-new"}}}}
}

func readyNode() *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "old-0-new"},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
}

// Each case starts from an orphan VM of a missing execution, past its
// grace, without a node, and changes one fact.
func TestJudgeDecidesWhatBecomesOfAReplacement(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		change func(r *replacement, f *orphanFacts)
		want   verdict
	}{
		"execution missing, past its grace: deleted": {change: func(*replacement, *orphanFacts) {}, want: deleteIt},
		"execution missing, within its grace: waits": {change: func(_ *replacement, f *orphanFacts) { f.grace = 2 * time.Hour }, want: waitGrace},
		"execution still running: left to it": {change: func(_ *replacement, f *orphanFacts) {
			f.rec = endedRecord(running, rebalancerv1.NodePhase_NODE_PHASE_JOINING)
		}, want: keepIt},
		"execution succeeded and kept it": {change: func(_ *replacement, f *orphanFacts) {
			f.rec = endedRecord(rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, rebalancerv1.NodePhase_NODE_PHASE_DONE)
		}, want: keepIt},
		"execution rolled back without deleting it": {change: func(_ *replacement, f *orphanFacts) {
			f.rec = endedRecord(rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, rebalancerv1.NodePhase_NODE_PHASE_ROLLED_BACK)
		}, want: deleteIt},
		"a first VM that never joined, the node done with a second": {change: func(r *replacement, f *orphanFacts) {
			f.rec = endedRecord(rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, rebalancerv1.NodePhase_NODE_PHASE_DONE)
			r.id, r.hostname = "vm-first", "old-0-first"
		}, want: deleteIt},
		"execution ended a moment ago: its grace counts from the end": {change: func(_ *replacement, f *orphanFacts) {
			f.rec = endedRecord(failed, rebalancerv1.NodePhase_NODE_PHASE_FAILED)
			f.rec.State.CompletedAt = timestamppb.New(orphanNow.Add(-time.Minute))
		}, want: waitGrace},
		"Ready, and its group below its floor: adopted": {change: func(r *replacement, f *orphanFacts) {
			r.node, f.needed = readyNode(), true
		}, want: adoptIt},
		"Ready, its group at its floor: deleted": {change: func(r *replacement, _ *orphanFacts) {
			r.node = readyNode()
		}, want: deleteIt},
		"its group needs it but it is not Ready: deleted": {change: func(r *replacement, f *orphanFacts) {
			r.node, f.needed = readyNode(), true
			r.node.Status.Conditions[0].Status = corev1.ConditionFalse
		}, want: deleteIt},
		"a managed node claimed by an execution this store does not hold": {change: func(r *replacement, _ *orphanFacts) {
			r.mode = modeManaged
		}, want: keepIt},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, f := orphanVM(), orphanFacts{now: orphanNow, grace: 5 * time.Minute}
			tc.change(&r, &f)
			got := judge(r, f)
			require.Equal(t, tc.want, got.verdict, got.reason)
			require.NotEmpty(t, got.reason)
		})
	}
}

// taggedCloud lists the VMs a test gives it, with their tags (the fake
// cloud keeps no tags), and records deletes.
type taggedCloud struct {
	cloud.Provider
	mu      sync.Mutex
	vms     []cloud.VM
	deleted []string
}

func (c *taggedCloud) ListVMs(context.Context) ([]cloud.VM, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]cloud.VM(nil), c.vms...), nil
}

func (c *taggedCloud) DeleteVM(_ context.Context, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deleted = append(c.deleted, id)
	return nil
}

func taggedVM(id, installation, execution string, created time.Time) cloud.VM {
	return cloud.VM{ID: id, Hostname: id, CreatedAt: created, Labels: map[string]string{v1alpha1.LabelNodeGroup: "web"},
		Tags: []string{"team-a", cloud.Replacement{Installation: installation, Execution: execution, OldNode: "old-0"}.Tag()}}
}

// A pass deletes this installation's orphans past their grace, and
// counts them; it leaves running executions' VMs, another
// installation's, untagged ones and orphans within their grace.
func TestReclaimDeletesOnlyThisInstallationsOrphansPastTheirGrace(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	now := u.clock.Now()
	c := &taggedCloud{vms: []cloud.VM{
		taggedVM("vm-lost", DefaultInstallation, "exec-gone", now.Add(-time.Hour)),
		taggedVM("vm-fresh", DefaultInstallation, "exec-gone", now.Add(-time.Minute)),
		taggedVM("vm-running", DefaultInstallation, "exec-1", now.Add(-time.Hour)),
		taggedVM("vm-elsewhere", "staging", "exec-gone", now.Add(-time.Hour)),
		{ID: "vm-plain", Hostname: "plain", CreatedAt: now.Add(-time.Hour)},
	}}
	require.NoError(t, u.x.update(t.Context(), func(r *store.Record) { r.State.Status = running }))
	deps := *u.x.deps
	deps.Cloud = c
	e := New(deps, u.x.deps.checker, nil)
	t.Cleanup(e.Stop)

	require.NoError(t, e.reclaimOrphans(t.Context()))
	require.Equal(t, []string{"vm-lost"}, c.deleted)
	require.InDelta(t, 1, testutil.ToFloat64(deps.Metrics.OrphansReclaimed.WithLabelValues("deleted", modeVM)), 0)
}

// An orphan whose node its group needs to reach minNodes is adopted
// (annotated, uncordoned, never judged again); one the group does not need, with a
// pod, is cordoned and drained before any delete.
func TestReclaimAdoptsANeededOrphanAndDrainsAnUnneededOne(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx, now := t.Context(), u.clock.Now()
	c := &taggedCloud{vms: []cloud.VM{taggedVM("vm-lost", DefaultInstallation, "exec-gone", now.Add(-time.Hour))}}
	node := readyNode()
	node.Name, node.Labels, node.Spec.ProviderID = "lost", map[string]string{v1alpha1.LabelNodeGroup: "web"}, v1alpha1.ProviderID("vm-lost")
	node.Spec.Unschedulable = true // as a rollback's drain of it left it
	_, err := u.kube.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	require.NoError(t, err)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "shop", OwnerReferences: []metav1.OwnerReference{
		{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "app-1", UID: "rs-1", Controller: ptr.To(true)}}},
		Spec: corev1.PodSpec{NodeName: "lost"}, Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	_, err = u.kube.CoreV1().Pods("shop").Create(ctx, pod, metav1.CreateOptions{})
	require.NoError(t, err)
	deps := *u.x.deps
	deps.Cloud = c
	e := New(deps, u.x.deps.checker, nil)
	t.Cleanup(e.Stop)

	// minNodes 1 and no other serving member: the group needs it.
	require.NoError(t, e.reclaimOrphans(ctx))
	require.Empty(t, c.deleted)
	require.Equal(t, "exec-gone/old-0", u.node(t, "lost").Annotations[AnnotationAdopted])
	require.False(t, u.node(t, "lost").Spec.Unschedulable, "adopted to serve")
	require.InDelta(t, 1, testutil.ToFloat64(deps.Metrics.OrphansReclaimed.WithLabelValues("adopted", modeVM)), 0)
	require.NoError(t, e.reclaimOrphans(ctx))
	require.InDelta(t, 1, testutil.ToFloat64(deps.Metrics.OrphansReclaimed.WithLabelValues("adopted", modeVM)), 0, "adopted once")

	// Not needed (another serving member), with a pod: drained first.
	require.NoError(t, u.kube.CoreV1().Nodes().Delete(ctx, "lost", metav1.DeleteOptions{}))
	_, err = u.kube.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	require.NoError(t, err)
	other := readyNode()
	other.Name, other.Labels = "member", map[string]string{v1alpha1.LabelNodeGroup: "web"}
	_, err = u.kube.CoreV1().Nodes().Create(ctx, other, metav1.CreateOptions{})
	require.NoError(t, err)
	require.NoError(t, e.reclaimOrphans(ctx))
	require.Empty(t, c.deleted, "not before its pods moved")
	require.True(t, u.node(t, "lost").Spec.Unschedulable, "cordoned")
}

// A pod no controller owns would be gone for good if evicted: the orphan
// is left, cordoned nor deleted, and the pass reports it.
func TestReclaimLeavesAnOrphanRunningAPodNoControllerOwns(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx := t.Context()
	c := &taggedCloud{vms: []cloud.VM{taggedVM("vm-lost", DefaultInstallation, "exec-gone", u.clock.Now().Add(-time.Hour))}}
	node := readyNode()
	node.Name, node.Labels, node.Spec.ProviderID = "lost", map[string]string{v1alpha1.LabelNodeGroup: "web"}, v1alpha1.ProviderID("vm-lost")
	other := readyNode()
	other.Name, other.Labels = "member", map[string]string{v1alpha1.LabelNodeGroup: "web"}
	for _, n := range []*corev1.Node{node, other} {
		_, err := u.kube.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	bare := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bare", Namespace: "shop"}, Spec: corev1.PodSpec{NodeName: "lost"},
		Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	_, err := u.kube.CoreV1().Pods("shop").Create(ctx, bare, metav1.CreateOptions{})
	require.NoError(t, err)
	deps := *u.x.deps
	deps.Cloud = c
	e := New(deps, u.x.deps.checker, nil)
	t.Cleanup(e.Stop)

	require.ErrorContains(t, e.reclaimOrphans(ctx), "shop/bare, which no controller owns")
	require.Empty(t, c.deleted)
	require.False(t, u.node(t, "lost").Spec.Unschedulable)
}
