package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/identity"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/testbed/invariants"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
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
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
		Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: time.Minute, RequireApproval: true})
	require.True(t, plan.GetRequiresApproval())

	st := e.submit(plan)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL, st.GetStatus())
	_, err := e.api.PauseExecution(t.Context(), &rebalancerv1.PauseExecutionRequest{ExecutionId: st.GetExecutionId(), Reason: "too early"})
	requireRefusedIn(t, err, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL, "pause before approval")
	_, err = e.api.ApproveExecution(t.Context(), &rebalancerv1.ApproveExecutionRequest{ExecutionId: "exec-none"})
	require.Equal(t, codes.NotFound, status.Code(err), "%v", err)
	require.Equal(t, created, e.sim.Stats().VMsCreated, "no VM before approval")
	e.requireNoMarks()

	rec := &recorder{}
	m := e.monitor(old, 2, false, rec)
	approved, err := e.api.ApproveExecution(t.Context(), &rebalancerv1.ApproveExecutionRequest{ExecutionId: st.GetExecutionId(),
		ApprovedBy: "ops@example"}) //nolint:staticcheck // a name in the body, which the Executor must ignore
	require.NoError(t, err)
	require.Equal(t, identity.Anonymous.User, approved.GetExecution().GetApprovedBy(),
		"the approver is the caller the server authenticated (anonymous on loopback), never the body's name")
	_, err = e.api.ApproveExecution(t.Context(), &rebalancerv1.ApproveExecutionRequest{ExecutionId: st.GetExecutionId()})
	require.Equal(t, codes.FailedPrecondition, status.Code(err), "a second approval is refused: %v", err)
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	defer cancel()
	require.NoError(t, e.watch(ctx, st.GetExecutionId(), 0, rec.add))
	requireNoViolations(t, m)
	final := e.get(st.GetExecutionId())
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.Equal(t, identity.Anonymous.User, final.GetApprovedBy())
	kinds := kindsOf(rec.all())
	require.Equal(t, []rebalancerv1.EventKind{rebalancerv1.EventKind_EVENT_KIND_EXECUTION_ACCEPTED,
		rebalancerv1.EventKind_EVENT_KIND_EXECUTION_AWAITING_APPROVAL, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_APPROVED,
		rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED}, kinds[:4])
}

// A group that asks for a second person refuses the requester's own
// approval (both the caller the server authenticated: here the loopback
// server's anonymous caller), and the execution keeps waiting, untouched.
func TestTheRequestersOwnApprovalIsRefusedWhenTheGroupAsksForASecondPerson(t *testing.T) {
	t.Parallel()
	e, old := controlled(t, 2)
	created := e.sim.Stats().VMsCreated
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
		Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: time.Minute, RequireApproval: true})
	e.patchRebalancing(map[string]any{"requireDistinctApprover": true})
	st := e.submit(plan)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL, st.GetStatus())

	_, err := e.api.ApproveExecution(t.Context(), &rebalancerv1.ApproveExecutionRequest{ExecutionId: st.GetExecutionId()})
	msg, details := requireRefused(t, err, "distinct_approver")
	require.Contains(t, msg, "requires a second person")
	require.Contains(t, msg, identity.Anonymous.User)
	require.Equal(t, "spec.rebalancing.requireDistinctApprover", details[0].subject)
	after := e.get(st.GetExecutionId())
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL, after.GetStatus(), "still waiting")
	require.Empty(t, after.GetApprovedBy())
	require.Equal(t, created, e.sim.Stats().VMsCreated, "no VM ordered")
	e.requireNoMarks()

	_, err = e.api.CancelExecution(t.Context(), &rebalancerv1.CancelExecutionRequest{ExecutionId: st.GetExecutionId(), Reason: "no second person"})
	require.NoError(t, err)
}

func TestPauseStopsAtAStepBoundaryAndResumeFinishes(t *testing.T) {
	t.Parallel()
	e, old := controlled(t, 2)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: time.Minute})
	rec := &recorder{}
	m := e.monitor(old, 2, false, rec)
	id := e.submit(plan).GetExecutionId()
	seen := make(chan rebalancerv1.EventKind, 1000)
	var once sync.Once
	watched := e.follow(t.Context(), id, rec, func(ev *rebalancerv1.ExecutionEvent) {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_NODE_READY {
			once.Do(func() {
				_, err := e.api.PauseExecution(context.Background(), &rebalancerv1.PauseExecutionRequest{ExecutionId: id, Reason: "maintenance window closed"})
				assert.NoError(t, err) // not require: this is the watcher's goroutine
			})
		}
		seen <- ev.GetKind()
	})
	waitKind(t, seen, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED)

	paused := e.get(id)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED, paused.GetStatus())
	for _, n := range paused.GetNodes() {
		require.NotContains(t, []rebalancerv1.NodePhase{rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING,
			rebalancerv1.NodePhase_NODE_PHASE_DRAINING, rebalancerv1.NodePhase_NODE_PHASE_TERMINATING}, n.GetPhase(),
			"node %s stopped half-way", n.GetOldNode())
	}
	_, err := e.api.PauseExecution(t.Context(), &rebalancerv1.PauseExecutionRequest{ExecutionId: id, Reason: "again"})
	requireRefusedIn(t, err, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED, "a second pause")

	_, err = e.api.ResumeExecution(t.Context(), &rebalancerv1.ResumeExecutionRequest{ExecutionId: id})
	require.NoError(t, err)
	require.NoError(t, <-watched)
	requireNoViolations(t, m)
	final := e.get(id)
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
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: time.Minute})
	rec := &recorder{}
	m := e.monitor(old, 2, false, rec)
	id := e.submit(plan).GetExecutionId()
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	defer cancel()
	watched := e.follow(ctx, id, rec, func(ev *rebalancerv1.ExecutionEvent) {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED {
			_, err := e.api.CancelExecution(context.Background(), &rebalancerv1.CancelExecutionRequest{ExecutionId: id, Reason: "wrong target"})
			assert.NoError(t, err) // not require: this is the watcher's goroutine
		}
	})
	require.NoError(t, <-watched)
	requireNoViolations(t, m)

	final := e.get(id)
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
	_, err := e.api.CancelExecution(t.Context(), &rebalancerv1.CancelExecutionRequest{ExecutionId: id, Reason: "again"})
	requireRefusedIn(t, err, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED, "a second cancel")
}

// requireRefusedIn checks a call was refused for the execution's status:
// FailedPrecondition, naming the status the execution is in.
func requireRefusedIn(t *testing.T, err error, in rebalancerv1.ExecutionStatus, call string) {
	t.Helper()
	st := status.Convert(err)
	require.Equal(t, codes.FailedPrecondition, st.Code(), "%s: %v", call, err)
	require.Contains(t, st.Message(), strings.TrimPrefix(in.String(), "EXECUTION_STATUS_"), "%s: the status named", call)
}
