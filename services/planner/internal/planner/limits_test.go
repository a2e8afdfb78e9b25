package planner

import (
	"testing"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Each case starts from a 4-node group under the default policy and changes
// one thing that no batch layout can satisfy.
func TestUnmetPoliciesAreRefusedNamingTheRule(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change   func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides)
		rule     string
		mentions string
	}{
		"a group with rebalancing disabled": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.Policy.Enabled = false },
			rule:   "enabled", mentions: "shop/web",
		},
		"an analysis that rejects the opportunity": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.RecommendedAction = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT
			},
			rule: "recommended_action", mentions: "the analysis recommends REJECT",
		},
		"no candidate safe to rebalance, with their reasons": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				for _, c := range a.CandidateNodes {
					c.SafeToRebalance, c.Reason = false, "pod shop/db-0 uses local storage"
				}
			},
			rule: "safe_to_rebalance", mentions: "web-000: pod shop/db-0 uses local storage",
		},
		"a floor of 100 percent with no surge": {
			change: func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.MinHealthyPercent, o.MaxSurge = ptr[int32](100), ptr[int32](0)
			},
			rule: "max_surge", mentions: "max_surge 0 leaves no room for a replacement",
		},
		"an analysis without candidates": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.CandidateNodes = nil },
			rule:   "safe_to_rebalance", mentions: "no candidate nodes",
		},
		"a floor above the nodes known Ready": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.TotalNodes = 8 },
			rule:   "min_healthy_percent", mentions: "keeps 6 of the group's 8 nodes",
		},
		"an override raising the floor over the nodes known Ready": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				a.TotalNodes, o.MinHealthyPercent = 5, ptr[int32](100)
			},
			rule: "min_healthy_percent", mentions: "1 excluded",
		},
		"a blue-green set larger than max_surge": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.Strategy, a.Policy.MaxSurge = blueGreenStrategy, 3
			},
			rule: "max_surge", mentions: "all 4 replacements",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, o := validAnalysis(4), &rebalancerv1.PlanOverrides{}
			tc.change(a, o)
			plan, err := CreatePlan(a, o)
			require.Nil(t, plan)
			require.True(t, IsUnmetPolicy(err))
			rule, reason := unmetRule(t, err)
			require.Equal(t, tc.rule, rule)
			require.Contains(t, reason, tc.mentions)
		})
	}
}

// Each case starts from a 4-node group under the default policy and changes
// one limit; the plan keeps it.
func TestLimitsShapeThePlan(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change           func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides)
		minHealthy       int32
		readyAtStart     int32
		requiresApproval bool
	}{
		"the default 75% floor of 4 nodes keeps 3": {
			change:     func(*rebalancerv1.RebalanceAnalysis, *rebalancerv1.PlanOverrides) {},
			minHealthy: 3, readyAtStart: 4,
		},
		"a 100% floor is kept by making before breaking": {
			change: func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.MinHealthyPercent = ptr[int32](100)
			},
			minHealthy: 4, readyAtStart: 4,
		},
		"the floor rounds up": {
			change:     func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.TotalNodes = 5 },
			minHealthy: 4, readyAtStart: 4,
		},
		"a 0% floor keeps nothing": {
			change:     func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) { a.Policy.MinHealthyPercent = 0 },
			minHealthy: 0, readyAtStart: 4,
		},
		"an unsafe candidate still counts as Ready at start": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.CandidateNodes[0].SafeToRebalance = false
			},
			minHealthy: 3, readyAtStart: 4,
		},
		"a policy requiring approval holds the plan": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.Policy.RequireApproval = true
			},
			minHealthy: 3, readyAtStart: 4, requiresApproval: true,
		},
		"an override confirms the policy's approval": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				a.Policy.RequireApproval, o.RequireApproval = true, ptr(true)
			},
			minHealthy: 3, readyAtStart: 4, requiresApproval: true,
		},
		"an override requires approval the policy does not": {
			change:     func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) { o.RequireApproval = ptr(true) },
			minHealthy: 3, readyAtStart: 4, requiresApproval: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, o := validAnalysis(4), &rebalancerv1.PlanOverrides{}
			tc.change(a, o)
			plan, err := CreatePlan(a, o)
			require.NoError(t, err)
			require.Equal(t, tc.minHealthy, plan.GetMinHealthyNodes(), "min_healthy_nodes")
			require.Equal(t, tc.readyAtStart, plan.GetReadyNodesAtStart(), "ready_nodes_at_start")
			require.Equal(t, tc.requiresApproval, plan.GetRequiresApproval(), "requires_approval")
			require.Equal(t, tc.requiresApproval, plan.GetPolicy().GetRequireApproval(), "the recorded policy")
		})
	}
}
