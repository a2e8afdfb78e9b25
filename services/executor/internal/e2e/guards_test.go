package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// The Executor keeps the product's promise whoever calls it: these tests
// call it as a caller without manners would, with plans the Planner would
// not have made (edited, then given the ID of their new content) or made
// for a group that changed since, and expect a refusal that names why and
// writes nothing.

// resealed is a copy of p changed by edit and given the ID of its new
// content, unsigned: what a caller who edits a plan by hand sends.
func resealed(t testing.TB, p *rebalancerv1.RebalancePlan, edit func(p *rebalancerv1.RebalancePlan)) *rebalancerv1.RebalancePlan {
	t.Helper()
	c := proto.CloneOf(p)
	edit(c)
	c.PlanId, c.Signature, c.SigningKeyId = "", nil, ""
	id, err := plancheck.PlanID(c)
	require.NoError(t, err)
	c.PlanId = id
	return c
}

// violation is one line of a PreconditionFailure.
type violation struct{ kind, subject, description string }

// requireRefused requires ExecutePlan (or another call) to have answered
// FailedPrecondition whose PreconditionFailure names rule first, and
// returns the message and the particulars after it.
func requireRefused(t testing.TB, err error, rule string) (string, []violation) {
	t.Helper()
	st, ok := status.FromError(err)
	require.True(t, ok, "a gRPC status: %v", err)
	require.Equal(t, codes.FailedPrecondition, st.Code(), "%v", err)
	var out []violation
	for _, d := range st.Details() {
		if pf, ok := d.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				out = append(out, violation{v.GetType(), v.GetSubject(), v.GetDescription()})
			}
		}
	}
	require.NotEmpty(t, out, "a PreconditionFailure: %v", st.Details())
	require.Equal(t, violation{"RULE", rule, out[0].description}, out[0], "the rule comes first")
	return st.Message(), out[1:]
}

// requireUntouched requires that the refused plan left nothing: no
// execution, no VM, no cordon, no lock on the group.
func (e *env) requireUntouched(plan *rebalancerv1.RebalancePlan, vmsBefore int) {
	e.t.Helper()
	_, err := e.api.GetExecution(e.t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: naming.ExecutionID(plan.GetPlanId())})
	require.Equal(e.t, codes.NotFound, status.Code(err), "no execution stored: %v", err)
	require.Equal(e.t, vmsBefore, e.sim.Stats().VMsCreated, "no VM created")
	e.requireNoMarks()
	require.Nil(e.t, e.nodeGroup().Status.ActiveExecution, "no lock taken")
}

func (e *env) nodeGroup() *v1alpha1.NodeGroup {
	e.t.Helper()
	ng, err := e.sb.Autoscaler.NodeGroups(e.ns).Get(e.t.Context(), e.groupName(), metav1.GetOptions{})
	require.NoError(e.t, err)
	return ng
}

// patchRebalancing merges fields into the group's spec.rebalancing, as its
// owner would with kubectl patch.
func (e *env) patchRebalancing(fields map[string]any) {
	e.t.Helper()
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"rebalancing": fields}})
	require.NoError(e.t, err)
	_, err = e.sb.Autoscaler.NodeGroups(e.ns).Patch(e.t.Context(), e.groupName(), types.MergePatchType, patch, metav1.PatchOptions{})
	require.NoError(e.t, err)
}

func (e *env) execute(plan *rebalancerv1.RebalancePlan) error {
	_, err := e.api.ExecutePlan(e.t.Context(), &rebalancerv1.ExecutePlanRequest{Plan: plan})
	return err
}

// rollingOf is the rolling plan of the group's first node, which keeps
// the second.
func (e *env) rollingOf(old []*corev1.Node) *rebalancerv1.RebalancePlan {
	e.t.Helper()
	return e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old[:1], GroupSize: len(old), Target: "compute-4", DrainTimeout: time.Minute})
}

// Each refusal of ExecutePlan: the rule and its particulars, nothing
// written. The plans are the Planner's, then edited by hand (resealed) or
// overtaken by the group.
func TestExecutePlanRefusesWhatMayNotRunAndWritesNothing(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		refused func(e *env, plan *rebalancerv1.RebalancePlan) *rebalancerv1.RebalancePlan
		rule    string
		// particular is one violation expected after the rule's.
		particular violation
		says       string
	}{
		"an analysis that postponed": {rule: "analysis_verdict",
			particular: violation{"SAFETY_CHECK", "timing.maintenance_window", "FAILED: outside every maintenance window; the next opens Saturday 02:00 UTC"},
			says:       "recommended POSTPONE",
			refused: func(e *env, plan *rebalancerv1.RebalancePlan) *rebalancerv1.RebalancePlan {
				return resealed(e.t, plan, func(p *rebalancerv1.RebalancePlan) {
					p.AnalysisVerdict = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE
					p.FailedChecks = []*rebalancerv1.SafetyCheck{{Name: "timing.maintenance_window",
						Status:  rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED,
						Message: "outside every maintenance window; the next opens Saturday 02:00 UTC"}}
				})
			}},
		"a policy looser than the group's": {rule: "policy_ceiling",
			particular: violation{"POLICY_CEILING", "drain_timeout_action",
				"FORCE in the plan, ROLLBACK in the group: a drain that times out would go further"},
			says: "drain_timeout_action is FORCE in the plan but ROLLBACK in the group",
			refused: func(e *env, plan *rebalancerv1.RebalancePlan) *rebalancerv1.RebalancePlan {
				return resealed(e.t, plan, func(p *rebalancerv1.RebalancePlan) {
					p.Policy.DrainTimeoutAction = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE
					p.Policy.RespectPdbs = false
				})
			}},
		"a plan older than --max-plan-age": {rule: "max_plan_age", says: "ago, and may start only within 1h0m0s of its analysis",
			refused: func(e *env, plan *rebalancerv1.RebalancePlan) *rebalancerv1.RebalancePlan {
				return resealed(e.t, plan, func(p *rebalancerv1.RebalancePlan) {
					p.CreatedAt = timestamppb.New(time.Now().Add(-2 * time.Hour))
				})
			}},
		"a group disabled since the plan": {rule: "enabled", says: "rebalancing is disabled for node group",
			refused: func(e *env, plan *rebalancerv1.RebalancePlan) *rebalancerv1.RebalancePlan {
				e.patchRebalancing(map[string]any{"enabled": false})
				return plan
			}},
		"a group recreated since the plan": {rule: "node_group", says: "another group of that name",
			refused: func(e *env, plan *rebalancerv1.RebalancePlan) *rebalancerv1.RebalancePlan {
				ng := e.nodeGroup()
				require.NoError(e.t, e.sb.Autoscaler.NodeGroups(e.ns).Delete(e.t.Context(), ng.Name, metav1.DeleteOptions{}))
				again := fixtures.Group{Namespace: e.ns, Name: e.groupName(), Offering: fixtures.Standard8, Nodes: 2, Datacenter: datacenter}
				_, err := e.sb.Autoscaler.NodeGroups(e.ns).Create(e.t.Context(), again.NodeGroup(), metav1.CreateOptions{})
				require.NoError(e.t, err)
				return plan
			}},
		"the plan moved to a namespace with a group of the same name": {rule: "node_group", says: "another group of that name",
			refused: func(e *env, plan *rebalancerv1.RebalancePlan) *rebalancerv1.RebalancePlan {
				other := sandboxtest.Namespace(e.t)
				twin := fixtures.Group{Namespace: other, Name: e.groupName(), Offering: fixtures.Standard8, Nodes: 2, Datacenter: datacenter}
				_, err := e.sb.Autoscaler.NodeGroups(other).Create(e.t.Context(), twin.NodeGroup(), metav1.CreateOptions{})
				require.NoError(e.t, err)
				return resealed(e.t, plan, func(p *rebalancerv1.RebalancePlan) { p.Namespace = other })
			}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			old := e.createGroup(current, 2)
			plan := e.rollingOf(old)
			vms := e.sim.Stats().VMsCreated
			refused := tc.refused(e, plan)

			message, particulars := requireRefused(t, e.execute(refused), tc.rule)
			require.Contains(t, message, tc.says)
			if tc.particular != (violation{}) {
				require.Contains(t, particulars, tc.particular)
			}
			e.requireUntouched(refused, vms)
		})
	}
}

// One execution per group: while a plan awaits its approval, another plan
// for the group is refused naming the execution that holds it; the same
// plan again is the same execution; once the first ends, the group is
// free for the second.
func TestASecondPlanForAGroupWithAnExecutionNotFinalIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 2)
	first := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old[:1], GroupSize: 2, Target: "compute-4", DrainTimeout: time.Minute, RequireApproval: true})
	held := e.submit(first)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL, held.GetStatus())
	lock := e.nodeGroup().Status.ActiveExecution
	require.NotNil(t, lock, "the group is held while its execution awaits approval")
	require.Equal(t, held.GetExecutionId(), lock.ExecutionID)

	second := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
		Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: time.Minute})
	vms := e.sim.Stats().VMsCreated
	message, particulars := requireRefused(t, e.execute(second), "one_execution_per_group")
	require.Contains(t, message, "is being rebalanced by execution "+held.GetExecutionId())
	require.Equal(t, "EXECUTION", particulars[0].kind)
	require.Equal(t, held.GetExecutionId(), particulars[0].subject)
	_, err := e.api.GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: naming.ExecutionID(second.GetPlanId())})
	require.Equal(t, codes.NotFound, status.Code(err))
	require.Equal(t, vms, e.sim.Stats().VMsCreated)
	require.Equal(t, held.GetExecutionId(), e.nodeGroup().Status.ActiveExecution.ExecutionID, "the lock stays the first's")

	again := e.submit(first)
	require.Equal(t, held.GetExecutionId(), again.GetExecutionId(), "the same plan twice is the same execution")

	_, err = e.api.CancelExecution(t.Context(), &rebalancerv1.CancelExecutionRequest{ExecutionId: held.GetExecutionId(), Reason: "make room"})
	require.NoError(t, err)
	fixtures.Eventually(t, "the first execution ended and released the group", func(context.Context) (bool, error) {
		return e.nodeGroup().Status.ActiveExecution == nil, nil
	})
	rec := &recorder{}
	final := e.run(second, rec)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
}

// A group disabled while its plan runs: the batch in progress finishes,
// the next does not start, and what was done is rolled back; the
// invariants hold throughout.
func TestAGroupDisabledMidExecutionFailsItSafely(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 2)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: time.Minute})
	require.Len(t, plan.GetBatches(), 2)
	rec := &recorder{}
	m := e.monitor(old, 2, false, rec)
	st := e.submit(plan)
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	defer cancel()
	disabled := false
	done := e.follow(ctx, st.GetExecutionId(), rec, func(ev *rebalancerv1.ExecutionEvent) {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED && ev.GetBatchNumber() == 1 && !disabled {
			disabled = true
			e.patchRebalancing(map[string]any{"enabled": false})
		}
	})
	require.NoError(t, <-done)
	requireNoViolations(t, m)

	final := e.get(st.GetExecutionId())
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus(), "errors: %v", final.GetErrors())
	require.Contains(t, final.GetStatusMessage(), "Stopped before batch 2: rebalancing is disabled for node group")
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED), "batch 2 never started")
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED), "batch 1, in progress, finished")
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED))
	require.EqualValues(t, 1, final.GetResult().GetNodesReplaced(), "batch 1's replacement is kept")
	require.Zero(t, final.GetResult().GetOrphanVms())
	e.requireNoMarks()
	e.requireGroupStatus("RolledBack")
}
