package planner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// A group whose policy turns the canary on gets a canary in every plan:
// one node first, the rest after it and its soak.
func TestTheGroupsCanaryLeadsEveryPlanAndSoaks(t *testing.T) {
	t.Parallel()
	for _, s := range []rebalancerv1.RebalanceStrategy{rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE} {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			a := validAnalysis(4)
			a.Policy.Strategy, a.Policy.Canary, a.Policy.CanarySoak = s, true, durationpb.New(5*time.Minute)
			plan, err := CreatePlan(a, nil)
			require.NoError(t, err)
			require.True(t, plan.GetCanary())
			first := plan.GetBatches()[0]
			require.Len(t, first.GetNodes(), 1)
			require.Equal(t, 5*time.Minute, first.GetSoakTime().AsDuration())
			for _, b := range plan.GetBatches()[1:] {
				require.Zero(t, b.GetSoakTime().AsDuration(), "only the canary soaks")
			}
		})
	}
}

// Blue-green soaks each drain batch for the group's batch soak time, and
// its canary drain for the longer canary soak.
func TestBlueGreenSoaksItsDrainsAndItsCanaryDrainLonger(t *testing.T) {
	t.Parallel()
	a := validAnalysis(3)
	a.Policy.Strategy = rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN
	a.Policy.Canary, a.Policy.CanarySoak = true, durationpb.New(10*time.Minute)
	a.Policy.BatchSoakTime, a.Policy.MaxSurge = durationpb.New(2*time.Minute), 3
	plan, err := CreatePlan(a, nil)
	require.NoError(t, err)
	var drains []time.Duration
	for _, b := range plan.GetBatches() {
		if b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN {
			drains = append(drains, b.GetSoakTime().AsDuration())
		}
		if b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION {
			require.Zero(t, b.GetSoakTime().AsDuration(), "nothing moved yet: no soak")
		}
	}
	require.Equal(t, 10*time.Minute, drains[0], "the canary drain")
	for _, d := range drains[1:] {
		require.Equal(t, 2*time.Minute, d)
	}
}

// An override cannot take away the group's canary.
func TestAPlanCannotDropTheGroupsCanary(t *testing.T) {
	t.Parallel()
	a := validAnalysis(3)
	a.Policy.Canary = true
	plan, err := CreatePlan(a, &rebalancerv1.PlanOverrides{Canary: false})
	require.NoError(t, err)
	require.True(t, plan.GetCanary())
	require.Len(t, plan.GetBatches()[0].GetNodes(), 1)
}
