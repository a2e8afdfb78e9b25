package planner

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

const (
	proceed     = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED
	postpone    = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE
	reject      = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT
	needsReview = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW
)

// withChecks gives the analysis one check of each status: a window that is
// closed, a single replica to warn about, and a budget that allows it.
func withChecks(a *rebalancerv1.RebalanceAnalysis) *rebalancerv1.RebalanceAnalysis {
	a.SafetyChecks = []*rebalancerv1.SafetyCheck{
		{Category: rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_POD_DISRUPTION_BUDGETS, Name: "pdb.disruptions_allowed",
			Status: rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED, Message: "every budget allows a disruption"},
		{Category: rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_TIMING, Name: "timing.maintenance_window",
			Status: rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED, Message: "outside every maintenance window until 22:00 UTC",
			Details: map[string]string{"next": "22:00"}},
		{Category: rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_POD_DISRUPTION_BUDGETS, Name: "pdb.single_replica",
			Status: rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING, Message: "shop/cache runs one replica"},
	}
	return a
}

// Only PROCEED and NEEDS_REVIEW are planned; the refusal names every
// check that did not pass, with its status and message.
func TestAnAnalysisThatPostponesOrRejectsIsRefusedNamingItsChecks(t *testing.T) {
	t.Parallel()
	for _, verdict := range []rebalancerv1.RecommendedAction{postpone, reject} {
		t.Run(verdict.String(), func(t *testing.T) {
			t.Parallel()
			a := withChecks(validAnalysis(4))
			a.RecommendedAction = verdict
			plan, err := CreatePlan(a, nil)
			require.Nil(t, plan)
			var unmet *UnmetPolicyError
			require.ErrorAs(t, err, &unmet)
			require.Equal(t, "recommended_action", unmet.Rule)
			require.Equal(t, "the analysis recommends "+plancheck.VerdictName(verdict)+"; safety checks that did not pass: "+
				"timing.maintenance_window (FAILED: outside every maintenance window until 22:00 UTC); "+
				"pdb.single_replica (WARNING: shop/cache runs one replica)", unmet.Reason)
			require.Equal(t, []Detail{
				{Kind: DetailSafetyCheck, Subject: "timing.maintenance_window", Description: "FAILED: outside every maintenance window until 22:00 UTC"},
				{Kind: DetailSafetyCheck, Subject: "pdb.single_replica", Description: "WARNING: shop/cache runs one replica"},
			}, unmet.Details)
		})
	}
}

func TestAPostponementWithoutChecksIsRefusedAllTheSame(t *testing.T) {
	t.Parallel()
	a := validAnalysis(4)
	a.RecommendedAction = postpone
	rule, reason := unmetRule(t, func() error { _, err := CreatePlan(a, nil); return err }())
	require.Equal(t, "recommended_action", rule)
	require.Equal(t, "the analysis recommends POSTPONE, though it lists no safety check that did not pass", reason)
}

// The verdict comes before the layout: a postponed analysis is refused for
// that, not for what its batches would have broken.
func TestTheVerdictIsCheckedBeforeTheLimits(t *testing.T) {
	t.Parallel()
	a := withChecks(validAnalysis(4))
	a.RecommendedAction, a.TotalNodes = postpone, 8 // the floor of 6 is above the 4 known Ready too
	rule, _ := unmetRule(t, func() error { _, err := CreatePlan(a, nil); return err }())
	require.Equal(t, "recommended_action", rule)
}

// A NEEDS_REVIEW analysis is planned, and the plan always waits for an
// approval, whatever the policy or the overrides say about approvals.
func TestAnAnalysisToReviewAlwaysRequiresApproval(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		group     bool
		overrides *rebalancerv1.PlanOverrides
	}{
		"a group that does not require approval":              {},
		"an override that does not require it either":         {overrides: &rebalancerv1.PlanOverrides{RequireApproval: ptr(false)}},
		"a group that requires approval":                      {group: true},
		"a group that requires it, and an override that does": {group: true, overrides: &rebalancerv1.PlanOverrides{RequireApproval: ptr(true)}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := withChecks(validAnalysis(4))
			a.RecommendedAction, a.Policy.RequireApproval = needsReview, tc.group
			plan, err := CreatePlan(a, tc.overrides)
			require.NoError(t, err)
			require.True(t, plan.GetRequiresApproval())
			require.Equal(t, tc.group, plan.GetPolicy().GetRequireApproval(), "the recorded policy is the group's, with overrides")
			require.Equal(t, needsReview, plan.GetAnalysisVerdict())
			require.Empty(t, plancheck.Check(plan))
		})
	}
}

// The plan carries what the Executor needs to re-check the analysis
// without it: the group's UID, the verdict and the checks not passed.
func TestThePlanCarriesTheAnalysisVerdictAndGroup(t *testing.T) {
	t.Parallel()
	a := withChecks(validAnalysis(4))
	a.NodeGroupUid = "6f1c2d3e-0000-4000-8000-00000000abcd"
	plan, err := CreatePlan(a, nil)
	require.NoError(t, err)
	require.Equal(t, "6f1c2d3e-0000-4000-8000-00000000abcd", plan.GetNodeGroupUid())
	require.Equal(t, proceed, plan.GetAnalysisVerdict())
	require.False(t, plan.GetRequiresApproval(), "PROCEED under a policy without approval")
	require.Len(t, plan.GetFailedChecks(), 2)
	require.True(t, proto.Equal(a.GetSafetyChecks()[1], plan.GetFailedChecks()[0]))
	require.True(t, proto.Equal(a.GetSafetyChecks()[2], plan.GetFailedChecks()[1]))

	before := proto.CloneOf(a)
	plan.FailedChecks[0].Details["next"] = "edited"
	require.True(t, proto.Equal(before, a), "the plan's checks are copies")
}

// Each case changes one of the new inputs; the plan ID, a hash of the
// content, changes with it, so an edit of them needs a new ID.
func TestTheVerdictGroupAndChecksAreCoveredByThePlanID(t *testing.T) {
	t.Parallel()
	base, err := CreatePlan(withChecks(validAnalysis(4)), nil)
	require.NoError(t, err)
	cases := map[string]func(a *rebalancerv1.RebalanceAnalysis){
		"another group UID":           func(a *rebalancerv1.RebalanceAnalysis) { a.NodeGroupUid = "another" },
		"an analysis without verdict": func(a *rebalancerv1.RebalanceAnalysis) { a.RecommendedAction = 0 },
		"another check message":       func(a *rebalancerv1.RebalanceAnalysis) { a.SafetyChecks[2].Message = "shop/web runs one replica" },
		"a failed check passing": func(a *rebalancerv1.RebalanceAnalysis) {
			a.SafetyChecks[1].Status = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := withChecks(validAnalysis(4))
			change(a)
			plan, err := CreatePlan(a, nil)
			require.NoError(t, err)
			require.NotEqual(t, base.GetPlanId(), plan.GetPlanId())
			id, err := plancheck.PlanID(plan)
			require.NoError(t, err)
			require.Equal(t, plan.GetPlanId(), id)
		})
	}
	edited := proto.CloneOf(base)
	edited.AnalysisVerdict = needsReview
	require.Contains(t, violationFields(plancheck.Check(edited)), "plan.plan_id", "an edited verdict breaks the ID")
}

func violationFields(list []plancheck.Violation) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = v.Field
	}
	return out
}
