package planner

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Each case starts from a valid 4-node analysis and breaks one field; the
// error names exactly that field.
func TestMalformedAnalysesNameTheField(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides)
		field  string
	}{
		"no analysis time to date the plan": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.AnalyzedAt = nil },
			field:  "analysis.analyzed_at",
		},
		"an analysis time out of range": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.AnalyzedAt = &timestamppb.Timestamp{Seconds: -1 << 40}
			},
			field: "analysis.analyzed_at",
		},
		"an empty group": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.TotalNodes, a.CandidateNodes = 0, nil
			},
			field: "analysis.total_nodes",
		},
		"a candidate moving to another offering than the opportunity's": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.CandidateNodes[2].TargetOffering = "general-2"
			},
			field: "analysis.candidate_nodes[2].target_offering",
		},
		"a candidate running another offering than the one replaced": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.CandidateNodes[1].CurrentOffering = "standard-4"
			},
			field: "analysis.candidate_nodes[1].current_offering",
		},
		"a score that does not sort": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.CandidateNodes[3].PriorityScore = math.NaN()
			},
			field: "analysis.candidate_nodes[3].priority_score",
		},
		"a candidate without a VM": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.CandidateNodes[0].VmIdentifier = ""
			},
			field: "analysis.candidate_nodes[0].vm_identifier",
		},
		"two candidates on one VM": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.CandidateNodes[3].VmIdentifier = "vm-001"
			},
			field: "analysis.candidate_nodes[3].vm_identifier",
		},
		"a negative batch size in the policy": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.Policy.BatchSize = -1 },
			field:  "analysis.policy.batch_size",
		},
		"a floor over 100%": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.Policy.MinHealthyPercent = 150
			},
			field: "analysis.policy.min_healthy_percent",
		},
		"a negative drain timeout": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.Policy.DrainTimeout = durationpb.New(-time.Second)
			},
			field: "analysis.policy.drain_timeout",
		},
		"an unknown strategy": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.Policy.Strategy = 9 },
			field:  "analysis.policy.strategy",
		},
		"an override of zero nodes per batch": {
			change: func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) { o.BatchSize = ptr[int32](0) },
			field:  "overrides.batch_size",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, o := validAnalysis(4), &rebalancerv1.PlanOverrides{}
			tc.change(a, o)
			plan, err := CreatePlan(a, o)
			require.Nil(t, plan)
			require.True(t, IsInvalidAnalysis(err))
			require.Equal(t, []string{tc.field}, fields(t, err))
		})
	}
}

func TestZeroPolicyCountsTakeTheNodeGroupDefaults(t *testing.T) {
	t.Parallel()
	a := validAnalysis(4)
	a.Policy = &rebalancerv1.RebalancePolicy{Enabled: true, MinHealthyPercent: 75}
	plan, err := CreatePlan(a, nil)
	require.NoError(t, err)
	p := plan.GetPolicy()
	require.Equal(t, rollingStrategy, p.GetStrategy())
	// Unset batch_size is max_concurrent: a batch fills every lane.
	require.Equal(t, []int32{2, 2, 1}, []int32{p.GetBatchSize(), p.GetMaxConcurrent(), p.GetMaxSurge()})
	require.Equal(t, 5*time.Minute, p.GetDrainTimeout().AsDuration())
	require.Equal(t, 10*time.Minute, p.GetProvisionTimeout().AsDuration())
	require.Equal(t, rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK, p.GetDrainTimeoutAction())
	require.True(t, p.GetRolloutSingleReplicaDeployments())
}
