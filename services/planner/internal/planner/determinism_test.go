package planner

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

var planIDPattern = regexp.MustCompile(`^plan-v3-[0-9a-f]{20}$`)

func TestSameInputGivesTheSamePlanAndID(t *testing.T) {
	t.Parallel()
	a := validAnalysis(6)
	a.Policy.MaxSurge = 3
	o := &rebalancerv1.PlanOverrides{Strategy: surgeStrategy, Canary: true}
	first, err := CreatePlan(a, o)
	require.NoError(t, err)
	second, err := CreatePlan(clonePair(a, o))
	require.NoError(t, err)
	require.True(t, proto.Equal(first, second))
	require.Regexp(t, planIDPattern, first.GetPlanId())
	id, err := plancheck.PlanID(first)
	require.NoError(t, err)
	require.Equal(t, first.GetPlanId(), id, "the ID is the content's")
	require.Equal(t, analyzedAt, first.GetCreatedAt().AsTime())
}

// Each case changes one input; the plan, and so its ID, changes with it.
func TestAnyChangeOfInputChangesTheID(t *testing.T) {
	t.Parallel()
	base, err := CreatePlan(validAnalysis(4), nil)
	require.NoError(t, err)
	cases := map[string]func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides){
		"a later analysis":    func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.AnalyzedAt.Seconds++ },
		"another analysis ID": func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.AnalysisId = "analysis-2" },
		"a canary":            func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) { o.Canary = true },
		"a longer drain timeout": func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
			a.Policy.DrainTimeout.Seconds++
		},
		"a different node order": func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
			a.CandidateNodes[0].PriorityScore = 0
		},
		"approval by an override": func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) { o.RequireApproval = ptr(true) },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, o := validAnalysis(4), &rebalancerv1.PlanOverrides{}
			change(a, o)
			plan, err := CreatePlan(a, o)
			require.NoError(t, err)
			require.NotEqual(t, base.GetPlanId(), plan.GetPlanId())
		})
	}
}

func TestPlanningLeavesTheAnalysisAlone(t *testing.T) {
	t.Parallel()
	a := validAnalysis(3)
	before := proto.CloneOf(a)
	plan, err := CreatePlan(a, &rebalancerv1.PlanOverrides{DrainTimeout: nil})
	require.NoError(t, err)
	plan.GetBatches()[0].GetNodes()[0].NodeName = "edited"
	plan.GetPolicy().BatchSize = 9
	plan.GetCreatedAt().Seconds += int64(time.Hour)
	require.True(t, proto.Equal(before, a), "the plan shares nothing with its analysis")
}
