package planner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

const (
	rollingStrategy   = rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING
	surgeStrategy     = rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE
	blueGreenStrategy = rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN
)

// Each case starts from a 4-node group under the default policy (rolling,
// batch 1, max_concurrent 2, max_surge 1) and changes one thing.
func TestStrategiesLayBatchesOut(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change              func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides)
		want                []string
		concurrent, surgeAt int32
	}{
		"rolling replaces one node per batch, each batch after the one before": {
			change: func(*rebalancerv1.RebalanceAnalysis, *rebalancerv1.PlanOverrides) {},
			want: []string{"1 REPLACE web-000 after -", "2 REPLACE web-001 after 1",
				"3 REPLACE web-002 after 2", "4 REPLACE web-003 after 3"},
			concurrent: 1, surgeAt: 1,
		},
		"rolling puts batch_size nodes in a batch": {
			change:     func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.Policy.BatchSize = 2 },
			want:       []string{"1 REPLACE web-000,web-001 after -", "2 REPLACE web-002,web-003 after 1"},
			concurrent: 2, surgeAt: 2,
		},
		"rolling caps a batch at max_concurrent": {
			change:     func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.Policy.BatchSize = 3 },
			want:       []string{"1 REPLACE web-000,web-001 after -", "2 REPLACE web-002,web-003 after 1"},
			concurrent: 2, surgeAt: 2,
		},
		"rolling lanes make replacements ahead within max_surge": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.Policy.BatchSize, a.Policy.MaxSurge = 2, 4
			},
			want:       []string{"1 REPLACE web-000,web-001 after -", "2 REPLACE web-002,web-003 after 1"},
			concurrent: 2, surgeAt: 4,
		},
		"the last batch holds what is left": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.Policy.BatchSize, a.Policy.MaxConcurrent = 3, 3
			},
			want:       []string{"1 REPLACE web-000,web-001,web-002 after -", "2 REPLACE web-003 after 1"},
			concurrent: 3, surgeAt: 3,
		},
		"surge runs max_surge batches side by side, each after the one max_surge before": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.Strategy, a.Policy.MaxSurge = surgeStrategy, 2
			},
			want: []string{"1 REPLACE web-000 after -", "2 REPLACE web-001 after -",
				"3 REPLACE web-002 after 1", "4 REPLACE web-003 after 2"},
			concurrent: 2, surgeAt: 2,
		},
		"surge is held to max_concurrent when it is below max_surge": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.Strategy, a.Policy.MaxSurge, o.MaxConcurrent = surgeStrategy, 4, ptr[int32](1)
			},
			want: []string{"1 REPLACE web-000 after -", "2 REPLACE web-001 after 1",
				"3 REPLACE web-002 after 2", "4 REPLACE web-003 after 3"},
			// One lane; within max_surge it makes its next replacement ahead.
			concurrent: 1, surgeAt: 2,
		},
		"surge fills its bound with whole batches": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.Strategy = surgeStrategy
				a.Policy.MaxSurge, a.Policy.MaxConcurrent, a.Policy.BatchSize = 3, 3, 2
			},
			want: []string{"1 REPLACE web-000,web-001 after -", "2 REPLACE web-002,web-003 after 1"},
			// Two lanes; max_surge 3 leaves room for one replacement made ahead.
			concurrent: 2, surgeAt: 3,
		},
		"blue-green provisions every green node, drains blue one batch at a time, then terminates": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.Strategy, a.Policy.MaxSurge = blueGreenStrategy, 4
			},
			want: []string{
				"1 PROVISION web-000 after -", "2 PROVISION web-001 after -", "3 PROVISION web-002 after 1", "4 PROVISION web-003 after 2",
				"5 DRAIN web-000 after 3,4", "6 DRAIN web-001 after 5", "7 DRAIN web-002 after 6", "8 DRAIN web-003 after 7",
				"9 TERMINATE web-000 after 8", "10 TERMINATE web-001 after 8", "11 TERMINATE web-002 after 9", "12 TERMINATE web-003 after 10",
			},
			concurrent: 2, surgeAt: 4,
		},
		"a rolling canary is one node that the next batches wait for": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.Canary, a.Policy.BatchSize = true, 2
			},
			want:       []string{"1 REPLACE web-000 after -", "2 REPLACE web-001,web-002 after 1", "3 REPLACE web-003 after 2"},
			concurrent: 2, surgeAt: 2,
		},
		"a surge canary runs alone before the lanes start": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.Canary, o.Strategy, a.Policy.MaxSurge = true, surgeStrategy, 2
			},
			want: []string{"1 REPLACE web-000 after -", "2 REPLACE web-001 after 1",
				"3 REPLACE web-002 after 1", "4 REPLACE web-003 after 2"},
			concurrent: 2, surgeAt: 2,
		},
		"a blue-green canary provisions and drains one node first": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.Canary, o.Strategy = true, blueGreenStrategy
				a.Policy.MaxSurge, a.Policy.BatchSize = 4, 2
			},
			want: []string{
				"1 PROVISION web-000 after -", "2 PROVISION web-001,web-002 after 1", "3 PROVISION web-003 after 2",
				"4 DRAIN web-000 after 3", "5 DRAIN web-001,web-002 after 4", "6 DRAIN web-003 after 5",
				"7 TERMINATE web-000,web-001 after 6", "8 TERMINATE web-002,web-003 after 7",
			},
			concurrent: 2, surgeAt: 4,
		},
		"batches follow the priority score, highest first": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				for i, score := range []float64{1, 4, 3, 2} {
					a.CandidateNodes[i].PriorityScore = score
				}
			},
			want: []string{"1 REPLACE web-001 after -", "2 REPLACE web-002 after 1",
				"3 REPLACE web-003 after 2", "4 REPLACE web-000 after 3"},
			concurrent: 1, surgeAt: 1,
		},
		"equal scores keep the Analyzer's order": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				for i, score := range []float64{1, 2, 2, 2} {
					a.CandidateNodes[i].PriorityScore = score
				}
			},
			want: []string{"1 REPLACE web-001 after -", "2 REPLACE web-002 after 1",
				"3 REPLACE web-003 after 2", "4 REPLACE web-000 after 3"},
			concurrent: 1, surgeAt: 1,
		},
		"candidates not safe to rebalance are left out": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.CandidateNodes[1].SafeToRebalance = false
			},
			want:       []string{"1 REPLACE web-000 after -", "2 REPLACE web-002 after 1", "3 REPLACE web-003 after 2"},
			concurrent: 1, surgeAt: 1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, o := validAnalysis(4), &rebalancerv1.PlanOverrides{}
			tc.change(a, o)
			plan, err := CreatePlan(a, o)
			require.NoError(t, err)
			require.Equal(t, tc.want, shape(plan))
			require.Equal(t, tc.concurrent, plan.GetMaxConcurrent(), "max_concurrent")
			require.Equal(t, tc.surgeAt, plan.GetMaxSurge(), "max_surge")
			require.Empty(t, plancheck.Check(plan))
		})
	}
}

func TestBlueGreenDrainBatchesSoak(t *testing.T) {
	t.Parallel()
	a := validAnalysis(2)
	a.Policy.BatchSoakTime, a.Policy.MaxSurge = durationpb.New(3*time.Minute), 2
	plan, err := CreatePlan(a, &rebalancerv1.PlanOverrides{Strategy: blueGreenStrategy})
	require.NoError(t, err)
	for _, b := range plan.GetBatches() {
		want := time.Duration(0)
		if b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN {
			want = 3 * time.Minute
		}
		require.Equal(t, want, b.GetSoakTime().AsDuration(), "batch %d", b.GetBatchNumber())
	}
}
