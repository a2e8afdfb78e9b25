package nodestep

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// A replacement runs the target or an alternative that both the plan and
// the live group allow: a group that narrowed its list since the plan was
// accepted is obeyed, and one whose policy cannot be read allows none.
func TestTheLiveGroupBoundsTheOfferingsAReplacementMayRun(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		live    []string
		liveErr error
		want    []string
	}{
		"the group allows both":            {live: []string{"compute-1", "compute-2"}, want: []string{"compute-4", "compute-2", "compute-1"}},
		"the group narrowed its list":      {live: []string{"compute-1"}, want: []string{"compute-4", "compute-1"}},
		"the group allows none any more":   {want: []string{"compute-4"}},
		"the group's policy is unreadable": {live: []string{"compute-2"}, liveErr: errors.New("apiserver unreachable"), want: []string{"compute-4"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newUnit(t, "compute-2", "compute-1")
			u.x.live, u.x.liveErr = &rebalancerv1.RebalancePolicy{AlternativeOfferings: tc.live}, tc.liveErr
			require.Equal(t, tc.want, u.r.offerings(t.Context()))
		})
	}
}

// The plan allows compute-2 but the group no longer does: with the target
// unavailable, the node fails rather than run an offering the group does
// not allow.
func TestProvisionNeverUsesAnOfferingTheLiveGroupDoesNotAllow(t *testing.T) {
	t.Parallel()
	u := newUnit(t, "compute-2")
	u.x.live = &rebalancerv1.RebalancePolicy{}
	u.cloud.MakeUnavailable(catalog.NYC1, "compute-4")
	err := provision(t.Context(), u.n)
	var f *Failure
	require.ErrorAs(t, err, &f)
	require.Empty(t, u.cloud.VMs(), "no VM of an offering the group does not allow")
}

// Pods go past their budgets only when the plan and the live group both
// say FORCE and neither respects PodDisruptionBudgets.
func TestADrainForcesOnlyWhenPlanAndGroupSayForceAndNeitherRespectsPDBs(t *testing.T) {
	t.Parallel()
	const force, rollback = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE, rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK
	policy := func(a rebalancerv1.DrainTimeoutAction, respect bool) *rebalancerv1.RebalancePolicy {
		return &rebalancerv1.RebalancePolicy{DrainTimeoutAction: a, RespectPdbs: respect}
	}
	for name, tc := range map[string]struct {
		plan, live *rebalancerv1.RebalancePolicy
		liveErr    error
		force      bool
	}{
		"both force, neither respects PDBs": {plan: policy(force, false), live: policy(force, false), force: true},
		"the group respects PDBs":           {plan: policy(force, false), live: policy(force, true)},
		"the plan respects PDBs":            {plan: policy(force, true), live: policy(force, false)},
		"the group rolls back now":          {plan: policy(force, false), live: policy(rollback, false)},
		"the plan rolls back":               {plan: policy(rollback, false), live: policy(force, false)},
		"the group cannot be read":          {plan: policy(force, false), live: policy(force, false), liveErr: errors.New("gone")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newUnit(t)
			u.x.rec.Plan.Policy.DrainTimeoutAction, u.x.rec.Plan.Policy.RespectPdbs = tc.plan.GetDrainTimeoutAction(), tc.plan.GetRespectPdbs()
			u.x.live, u.x.liveErr = tc.live, tc.liveErr
			got, why := u.r.mayForce(t.Context())
			require.Equal(t, tc.force, got, why)
		})
	}
}

// A drain that timed out under a plan saying FORCE, of a group that
// respects PDBs, deletes nothing: the node fails and the plan rolls back.
func TestATimedOutDrainOfAGroupRespectingPDBsDeletesNothing(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx := t.Context()
	u.x.rec.Plan.Policy.DrainTimeoutAction = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE
	u.x.live = &rebalancerv1.RebalancePolicy{DrainTimeoutAction: rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE, RespectPdbs: true}
	_, err := u.kube.CoreV1().Pods("shop").Create(ctx, replicaPod("web-1"), metav1.CreateOptions{})
	require.NoError(t, err)
	started := u.clock.Now().Add(-2 * u.x.Plan().GetPolicy().GetDrainTimeout().AsDuration())
	require.NoError(t, u.n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_DRAINING, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		nb.DrainStartedAt = started
	}))

	err = drain(ctx, u.n)
	var f *Failure
	require.ErrorAs(t, err, &f)
	_, err = u.kube.CoreV1().Pods("shop").Get(ctx, "web-1", metav1.GetOptions{})
	require.NoError(t, err, "the pod was not deleted past its budget")
	require.Empty(t, u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED))
	timeout := u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT)
	require.Len(t, timeout, 1)
	require.Contains(t, timeout[0].Message, "respects PodDisruptionBudgets")
}
