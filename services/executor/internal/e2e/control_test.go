package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/testbed/invariants"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// controlled is a test world with a small guarded workload on a group of n.
func controlled(t *testing.T, n int) (*env, []*corev1.Node) {
	e := newEnv(t)
	old := e.createGroup(current, n)
	w := fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(e.ns, "web", e.ns, int32(n))},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMaxUnavailable(e.ns, "web", 1)},
	}
	w.Create(t, e.sb)
	w.WaitRunning(t, e.sb, n)
	return e, old
}

// waitKind waits for the first event of kind (the watch delivers it).
func waitKind(t *testing.T, seen <-chan rebalancerv1.EventKind, kind rebalancerv1.EventKind) {
	t.Helper()
	for {
		select {
		case k := <-seen:
			if k == kind {
				return
			}
		case <-t.Context().Done():
			t.Fatalf("no %s event", kind)
		}
	}
}

func kindsOf(events []*rebalancerv1.ExecutionEvent) []rebalancerv1.EventKind {
	out := make([]rebalancerv1.EventKind, len(events))
	for i, ev := range events {
		out[i] = ev.GetKind()
	}
	return out
}

// requireNoMarks checks no group node is cordoned or carries a rebalancer taint.
func (e *env) requireNoMarks() {
	e.t.Helper()
	for _, n := range e.groupNodes() {
		require.False(e.t, n.Spec.Unschedulable, "node %s cordoned", n.Name)
		for _, taint := range n.Spec.Taints {
			require.NotContains(e.t, taint.Key, invariants.TaintPrefix, "node %s tainted", n.Name)
		}
		require.NotContains(e.t, n.Annotations, engine.AnnotationOriginalMarks, "node %s keeps the note of its marks", n.Name)
	}
}

func TestAPlanRequiringApprovalTouchesNothingUntilApproved(t *testing.T) {
	t.Parallel()
	e, old := controlled(t, 2)
	created := e.sim.Stats().VMsCreated
	plan := planFor(t, e.ns, planSpec{strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
		replace: old, groupSize: 2, target: "compute-4", drainTimeout: time.Minute})
	plan.RequiresApproval = true
	id, err := plancheck.PlanID(plan)
	require.NoError(t, err)
	plan.PlanId = id

	st, err := e.exec.Execute(t.Context(), plan, "e2e")
	require.NoError(t, err)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL, st.GetStatus())
	_, err = e.exec.Pause(t.Context(), st.GetExecutionId(), "too early")
	se, ok := engine.AsStateError(err)
	require.True(t, ok, "pause before approval: %v", err)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL, se.Status)
	_, err = e.exec.Approve(t.Context(), "exec-none", "ops")
	require.True(t, engine.IsNotFound(err))
	require.Equal(t, created, e.sim.Stats().VMsCreated, "no VM before approval")
	e.requireNoMarks()

	rec := &recorder{}
	m := e.monitor(old, 2, false, rec)
	approved, err := e.exec.Approve(t.Context(), st.GetExecutionId(), "ops@example")
	require.NoError(t, err)
	require.Equal(t, "ops@example", approved.GetApprovedBy())
	_, err = e.exec.Approve(t.Context(), st.GetExecutionId(), "ops@example")
	_, ok = engine.AsStateError(err)
	require.True(t, ok, "a second approval is refused: %v", err)
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	defer cancel()
	require.NoError(t, e.exec.Watch(ctx, st.GetExecutionId(), 0, rec.add))
	requireNoViolations(t, m)
	final, err := e.exec.Get(t.Context(), st.GetExecutionId())
	require.NoError(t, err)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.Equal(t, "ops@example", final.GetApprovedBy())
	kinds := kindsOf(rec.all())
	require.Equal(t, []rebalancerv1.EventKind{rebalancerv1.EventKind_EVENT_KIND_EXECUTION_ACCEPTED,
		rebalancerv1.EventKind_EVENT_KIND_EXECUTION_AWAITING_APPROVAL, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_APPROVED,
		rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED}, kinds[:4])
}

func TestPauseStopsAtAStepBoundaryAndResumeFinishes(t *testing.T) {
	t.Parallel()
	e, old := controlled(t, 2)
	plan := planFor(t, e.ns, planSpec{strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		replace: old, groupSize: 2, target: "compute-4", drainTimeout: time.Minute})
	rec := &recorder{}
	m := e.monitor(old, 2, false, rec)
	st, err := e.exec.Execute(t.Context(), plan, "e2e")
	require.NoError(t, err)
	id := st.GetExecutionId()
	seen := make(chan rebalancerv1.EventKind, 1000)
	var once sync.Once
	watched := e.follow(t.Context(), id, rec, func(ev *rebalancerv1.ExecutionEvent) {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_NODE_READY {
			once.Do(func() {
				_, err := e.exec.Pause(context.Background(), id, "maintenance window closed")
				assert.NoError(t, err) // not require: this is the watcher's goroutine
			})
		}
		seen <- ev.GetKind()
	})
	waitKind(t, seen, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED)

	paused, err := e.exec.Get(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED, paused.GetStatus())
	for _, n := range paused.GetNodes() {
		require.NotContains(t, []rebalancerv1.NodePhase{rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING,
			rebalancerv1.NodePhase_NODE_PHASE_DRAINING, rebalancerv1.NodePhase_NODE_PHASE_TERMINATING}, n.GetPhase(),
			"node %s stopped half-way", n.GetOldNode())
	}
	_, err = e.exec.Pause(t.Context(), id, "again")
	se, ok := engine.AsStateError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED, se.Status)

	_, err = e.exec.Resume(t.Context(), id)
	require.NoError(t, err)
	require.NoError(t, <-watched)
	requireNoViolations(t, m)
	final, err := e.exec.Get(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED))
	e.requireReplaced(old, 2, "compute-4")
}

func TestCancelMidPlanRollsBackLeavingNoCordonNorExtraVM(t *testing.T) {
	t.Parallel()
	e, old := controlled(t, 2)
	before := e.sim.Stats()
	plan := planFor(t, e.ns, planSpec{strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		replace: old, groupSize: 2, target: "compute-4", drainTimeout: time.Minute})
	rec := &recorder{}
	m := e.monitor(old, 2, false, rec)
	st, err := e.exec.Execute(t.Context(), plan, "e2e")
	require.NoError(t, err)
	id := st.GetExecutionId()
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	defer cancel()
	watched := e.follow(ctx, id, rec, func(ev *rebalancerv1.ExecutionEvent) {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED {
			_, err := e.exec.Cancel(context.Background(), id, "wrong target")
			assert.NoError(t, err) // not require: this is the watcher's goroutine
		}
	})
	require.NoError(t, <-watched)
	requireNoViolations(t, m)

	final, err := e.exec.Get(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED, final.GetStatus(), "errors: %v", final.GetErrors())
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
	require.Equal(t, "EXECUTION_STATUS_CANCELLED", events[len(events)-1].GetDetails()["status"], "the final event names the status")
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_CANCELLED))
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED))
	e.requireNoMarks()
	require.Len(t, e.groupNodes(), 2, "the old nodes, and no replacement")
	after := e.sim.Stats()
	require.Equal(t, after.VMsCreated-before.VMsCreated, after.VMsDeleted-before.VMsDeleted, "every VM created was deleted")
	require.Zero(t, final.GetResult().GetOrphanVms())
	_, err = e.exec.Cancel(t.Context(), id, "again")
	_, ok := engine.AsStateError(err)
	require.True(t, ok, "%v", err)
}
