package planner

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// Each case starts from a 4-node group under the default policy (batch 1,
// max_concurrent 2, max_surge 1, 75% floor) and loosens one thing; the
// refusal names the field, the plan's value and the group's.
func TestOverridesThatLoosenTheGroupsPolicyAreRefused(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides)
		want   []Detail
	}{
		"a lower floor": {
			change: func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.MinHealthyPercent = ptr[int32](50)
			},
			want: []Detail{{Kind: DetailLoosening, Subject: "min_healthy_percent", Description: "50 in the plan, 75 in the group: "}},
		},
		"more nodes at once": {
			change: func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.MaxConcurrent = ptr[int32](3)
			},
			want: []Detail{{Kind: DetailLoosening, Subject: "max_concurrent", Description: "3 in the plan, 2 in the group: "}},
		},
		"larger batches": {
			change: func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) { o.BatchSize = ptr[int32](2) },
			want:   []Detail{{Kind: DetailLoosening, Subject: "batch_size", Description: "2 in the plan, 1 in the group: "}},
		},
		"a larger surge": {
			change: func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.Strategy, o.MaxSurge = surgeStrategy, ptr[int32](2)
			},
			want: []Detail{{Kind: DetailLoosening, Subject: "max_surge", Description: "2 in the plan, 1 in the group: "}},
		},
		"approval waived where the group requires it": {
			change: func(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				a.Policy.RequireApproval, o.RequireApproval = true, ptr(false)
			},
			want: []Detail{{Kind: DetailLoosening, Subject: "require_approval", Description: "false in the plan, true in the group: "}},
		},
		"a fallback offering the group does not allow": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.Policy.AlternativeOfferings = []string{"compute-6"}
				a.Opportunity.AlternativeOfferings = []string{"compute-6", "compute-2"}
			},
			want: []Detail{{Kind: DetailLoosening, Subject: "alternative_offerings", Description: `"compute-2" in the plan, ["compute-6"] in the group: `}},
		},
		"a fallback offering where the group allows none": {
			change: func(a *rebalancerv1.RebalanceAnalysis, _ *rebalancerv1.PlanOverrides) {
				a.Opportunity.AlternativeOfferings = []string{"compute-6"}
			},
			want: []Detail{{Kind: DetailLoosening, Subject: "alternative_offerings", Description: `"compute-6" in the plan, none in the group: `}},
		},
		"several at once, each named": {
			change: func(_ *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) {
				o.MinHealthyPercent, o.BatchSize, o.MaxConcurrent = ptr[int32](0), ptr[int32](4), ptr[int32](4)
			},
			want: []Detail{
				{Kind: DetailLoosening, Subject: "min_healthy_percent", Description: "0 in the plan, 75 in the group: "},
				{Kind: DetailLoosening, Subject: "max_concurrent", Description: "4 in the plan, 2 in the group: "},
				{Kind: DetailLoosening, Subject: "batch_size", Description: "4 in the plan, 1 in the group: "},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, o := validAnalysis(4), &rebalancerv1.PlanOverrides{}
			tc.change(a, o)
			plan, err := CreatePlan(a, o)
			require.Nil(t, plan)
			var unmet *UnmetPolicyError
			require.ErrorAs(t, err, &unmet)
			require.Equal(t, "policy_ceiling", unmet.Rule)
			require.Contains(t, unmet.Reason, "a plan may be stricter than node group shop/web's policy, never looser: ")
			require.Len(t, unmet.Details, len(tc.want))
			for i, want := range tc.want {
				got := unmet.Details[i]
				require.Equal(t, want.Kind, got.Kind)
				require.Equal(t, want.Subject, got.Subject)
				require.Contains(t, got.Description, want.Description)
				require.Contains(t, unmet.Reason, want.Subject+" is ", "the reason names every field")
			}
		})
	}
}

// Each case tightens one thing of the group's policy (batch 1 and
// max_concurrent 2 raised to 3 first, so there is room to tighten); the
// plan follows the override.
func TestStricterOverridesKeepWorking(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		overrides *rebalancerv1.PlanOverrides
		check     func(t *testing.T, p *rebalancerv1.RebalancePlan)
	}{
		"a higher floor": {
			overrides: &rebalancerv1.PlanOverrides{MinHealthyPercent: ptr[int32](100)},
			check:     func(t *testing.T, p *rebalancerv1.RebalancePlan) { require.Equal(t, int32(4), p.GetMinHealthyNodes()) },
		},
		"smaller batches": {
			overrides: &rebalancerv1.PlanOverrides{BatchSize: ptr[int32](1)},
			check:     func(t *testing.T, p *rebalancerv1.RebalancePlan) { require.Len(t, p.GetBatches(), 4) },
		},
		"fewer nodes at once": {
			overrides: &rebalancerv1.PlanOverrides{MaxConcurrent: ptr[int32](1)},
			check:     func(t *testing.T, p *rebalancerv1.RebalancePlan) { require.Equal(t, int32(1), p.GetMaxConcurrent()) },
		},
		"a smaller surge": {
			overrides: &rebalancerv1.PlanOverrides{Strategy: surgeStrategy, MaxSurge: ptr[int32](1)},
			check:     func(t *testing.T, p *rebalancerv1.RebalancePlan) { require.Equal(t, int32(1), p.GetMaxSurge()) },
		},
		"approval the group does not require": {
			overrides: &rebalancerv1.PlanOverrides{RequireApproval: ptr(true)},
			check:     func(t *testing.T, p *rebalancerv1.RebalancePlan) { require.True(t, p.GetRequiresApproval()) },
		},
		"the same values as the group's": {
			overrides: &rebalancerv1.PlanOverrides{BatchSize: ptr[int32](3), MaxConcurrent: ptr[int32](3), MaxSurge: ptr[int32](3),
				MinHealthyPercent: ptr[int32](75), RequireApproval: ptr(false)},
			check: func(t *testing.T, p *rebalancerv1.RebalancePlan) { require.Len(t, p.GetBatches(), 2) },
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := validAnalysis(4)
			a.Policy.BatchSize, a.Policy.MaxConcurrent, a.Policy.MaxSurge = 3, 3, 3
			a.Policy.AlternativeOfferings = []string{"compute-6", "general-4"}
			a.Opportunity.AlternativeOfferings = []string{"general-4"}
			plan, err := CreatePlan(a, tc.overrides)
			require.NoError(t, err)
			tc.check(t, plan)
			require.Empty(t, plancheck.Check(plan))
			require.Empty(t, plancheck.PlanLoosened(effectivePolicy(a.GetPolicy(), nil), plan))
		})
	}
}

// Whatever the overrides, a plan the Planner writes is never looser than
// its group's policy, and an override is refused exactly when it loosens.
func TestNoPlanIsLooserThanItsGroup(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		a, _ := drawAnalysis(t)
		a.Policy.RequireApproval = rapid.Bool().Draw(t, "group_approval")
		o := &rebalancerv1.PlanOverrides{Canary: rapid.Bool().Draw(t, "canary")}
		loosens := false
		if rapid.Bool().Draw(t, "override_batch") {
			o.BatchSize = ptr(rapid.Int32Range(1, 8).Draw(t, "batch_size"))
			loosens = loosens || o.GetBatchSize() > a.GetPolicy().GetBatchSize()
		}
		if rapid.Bool().Draw(t, "override_concurrent") {
			o.MaxConcurrent = ptr(rapid.Int32Range(1, 8).Draw(t, "max_concurrent"))
			loosens = loosens || o.GetMaxConcurrent() > a.GetPolicy().GetMaxConcurrent()
		}
		if rapid.Bool().Draw(t, "override_surge") {
			o.MaxSurge = ptr(rapid.Int32Range(1, 50).Draw(t, "max_surge"))
			loosens = loosens || o.GetMaxSurge() > a.GetPolicy().GetMaxSurge()
		}
		if rapid.Bool().Draw(t, "override_floor") {
			o.MinHealthyPercent = ptr(rapid.Int32Range(0, 100).Draw(t, "min_healthy_percent"))
			loosens = loosens || o.GetMinHealthyPercent() < a.GetPolicy().GetMinHealthyPercent()
		}
		if rapid.Bool().Draw(t, "override_approval") {
			o.RequireApproval = ptr(rapid.Bool().Draw(t, "require_approval"))
			loosens = loosens || (a.GetPolicy().GetRequireApproval() && !o.GetRequireApproval())
		}
		plan, err := CreatePlan(a, o)
		if err != nil {
			rule, _ := unmetRule(t, err)
			require.Equal(t, loosens, rule == "policy_ceiling", "refused for %s", rule)
			return
		}
		require.False(t, loosens, "a loosening override was planned")
		require.Empty(t, plancheck.PlanLoosened(effectivePolicy(a.GetPolicy(), nil), plan))
		require.Empty(t, plancheck.Check(plan))
	})
}
