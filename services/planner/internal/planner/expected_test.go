package planner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// measured are the step times of the cases below: a node costs
// provision 2 min + drain 3 min + terminate 1 min = 6 min.
func measured() *rebalancerv1.StepTimings {
	return &rebalancerv1.StepTimings{Provision: durationpb.New(2 * time.Minute), Drain: durationpb.New(3 * time.Minute),
		Terminate: durationpb.New(time.Minute), SampleNodes: 4}
}

// Each case starts from the 4-node fixture with measured timings and
// changes the group's limits or the strategy; the durations are worked
// out by hand in each case's comment.
func TestExpectedDurationWalksThePlanAsTheExecutorRunsIt(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		overrides *rebalancerv1.PlanOverrides
		group     func(p *rebalancerv1.RebalancePolicy)
		want      time.Duration
	}{
		// Batches of one node chain: each awaits the last whole, 4 × 6 min.
		"rolling one node at a time adds up its nodes": {
			want: 24 * time.Minute,
		},
		// Two batches of two: two lanes of two nodes, 2 × 6 min.
		"rolling with two lanes runs them side by side": {
			group: func(p *rebalancerv1.RebalancePolicy) { p.BatchSize = 2 },
			want:  12 * time.Minute,
		},
		// max_surge 4 over two lanes: each lane orders its second
		// replacement when its first old node is cordoned (2 min), Ready
		// at 4 min, and cordons it when the first is gone (6 min), gone at
		// 10 min: provision once, then drain and terminate twice.
		"surge above the lanes overlaps the next provision with the drain": {
			group: func(p *rebalancerv1.RebalancePolicy) { p.BatchSize, p.MaxSurge = 2, 4 },
			want:  10 * time.Minute,
		},
		// Surge strategy, max_surge 2: batches of one node, two at a time,
		// the third awaiting the first: 2 × 6 min.
		"the surge strategy runs its batches two at a time": {
			overrides: &rebalancerv1.PlanOverrides{Strategy: surgeStrategy},
			group:     func(p *rebalancerv1.RebalancePolicy) { p.MaxSurge = 2 },
			want:      12 * time.Minute,
		},
		// The canary soaks 5 min inside its node: 11 min. Then two lanes:
		// one of two nodes (12 min), one of one: 11 + 12 = 23 min.
		"a canary runs and soaks alone before the lanes": {
			overrides: &rebalancerv1.PlanOverrides{Canary: true},
			group: func(p *rebalancerv1.RebalancePolicy) {
				p.BatchSize, p.MaxSurge, p.CanarySoak = 2, 2, durationpb.New(5*time.Minute)
			},
			want: 23 * time.Minute,
		},
		// Provision in two lanes of two (4 min), the four drains in turn
		// each with its 2 min soak (20 min), terminate in two lanes of two
		// (2 min): 26 min.
		"blue-green provisions, drains and soaks in turn, then terminates": {
			overrides: &rebalancerv1.PlanOverrides{Strategy: blueGreenStrategy},
			group: func(p *rebalancerv1.RebalancePolicy) {
				p.MaxSurge, p.BatchSoakTime = 4, durationpb.New(2*time.Minute)
			},
			want: 26 * time.Minute,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := validAnalysis(4)
			a.StepTimings = measured()
			if tc.group != nil {
				tc.group(a.Policy)
			}
			plan, err := CreatePlan(a, tc.overrides)
			require.NoError(t, err)
			require.Equal(t, tc.want, plan.GetExpectedDuration().AsDuration())
		})
	}
}

func TestExpectedDurationNeedsMeasuredTimings(t *testing.T) {
	t.Parallel()
	for name, timings := range map[string]*rebalancerv1.StepTimings{
		"no timings":             nil,
		"timings of no node yet": {Provision: durationpb.New(time.Minute)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := validAnalysis(4)
			a.StepTimings = timings
			plan, err := CreatePlan(a, nil)
			require.NoError(t, err)
			require.Nil(t, plan.GetExpectedDuration())
		})
	}
}

func TestExpectedDurationIsPartOfThePlanID(t *testing.T) {
	t.Parallel()
	without, err := CreatePlan(validAnalysis(4), nil)
	require.NoError(t, err)
	a := validAnalysis(4)
	a.StepTimings = measured()
	with, err := CreatePlan(a, nil)
	require.NoError(t, err)
	again, err := CreatePlan(a, nil)
	require.NoError(t, err)
	require.NotEqual(t, without.GetPlanId(), with.GetPlanId())
	require.Equal(t, with.GetPlanId(), again.GetPlanId())
}
