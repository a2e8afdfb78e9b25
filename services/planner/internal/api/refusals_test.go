package api

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// withVerdict gives the request's analysis a verdict and its checks: one
// passed, one failed, one warning.
func withVerdict(r *rebalancerv1.CreatePlanRequest, v rebalancerv1.RecommendedAction) *rebalancerv1.CreatePlanRequest {
	r.Analysis.RecommendedAction = v
	r.Analysis.NodeGroupUid = "6f1c2d3e-0000-4000-8000-00000000abcd"
	r.Analysis.SafetyChecks = []*rebalancerv1.SafetyCheck{
		{Name: "cluster.control_plane", Status: rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED},
		{Name: "timing.maintenance_window", Status: rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED,
			Message: "outside every maintenance window until 22:00 UTC"},
		{Name: "pdb.single_replica", Status: rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING,
			Message: "shop/cache runs one replica"},
	}
	return r
}

// preconditions returns the PreconditionFailure violations of a
// FailedPrecondition status, as "TYPE subject: description".
func preconditions(t *testing.T, err error) (message string, violations []string) {
	t.Helper()
	st := status.Convert(err)
	require.Equal(t, codes.FailedPrecondition, st.Code(), st.Message())
	for _, d := range st.Details() {
		if f, ok := d.(*errdetails.PreconditionFailure); ok {
			for _, v := range f.GetViolations() {
				violations = append(violations, v.GetType()+" "+v.GetSubject()+": "+v.GetDescription())
			}
		}
	}
	require.NotEmpty(t, violations, "a PreconditionFailure names what stands in the way")
	return st.Message(), violations
}

func TestAPostponedOrRejectedAnalysisIsFailedPreconditionNamingItsChecks(t *testing.T) {
	t.Parallel()
	client, _ := startPlanner(t)
	for verdict, word := range map[rebalancerv1.RecommendedAction]string{
		rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE: "POSTPONE",
		rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT:   "REJECT",
	} {
		t.Run(word, func(t *testing.T) {
			t.Parallel()
			_, err := client.CreatePlan(t.Context(), withVerdict(validRequest(), verdict))
			message, violations := preconditions(t, err)
			require.Contains(t, message, "timing.maintenance_window (FAILED: outside every maintenance window until 22:00 UTC)")
			require.Equal(t, []string{
				"POLICY recommended_action: the analysis recommends " + word + "; safety checks that did not pass: " +
					"timing.maintenance_window (FAILED: outside every maintenance window until 22:00 UTC); " +
					"pdb.single_replica (WARNING: shop/cache runs one replica)",
				"SAFETY_CHECK timing.maintenance_window: FAILED: outside every maintenance window until 22:00 UTC",
				"SAFETY_CHECK pdb.single_replica: WARNING: shop/cache runs one replica",
			}, violations)
		})
	}
}

func TestLooseningOverridesAreFailedPreconditionNamingEachField(t *testing.T) {
	t.Parallel()
	client, reg := startPlanner(t)
	req := validRequest()
	req.Analysis.Policy.RequireApproval = true
	req.Overrides.MinHealthyPercent, req.Overrides.RequireApproval = proto.Int32(50), proto.Bool(false)
	_, err := client.CreatePlan(t.Context(), req)
	message, violations := preconditions(t, err)
	require.Contains(t, message, "policy_ceiling: a plan may be stricter than node group shop/web's policy, never looser")
	require.Len(t, violations, 3)
	require.Contains(t, violations[0], "POLICY policy_ceiling: ")
	require.Contains(t, violations[1], "POLICY_CEILING min_healthy_percent: 50 in the plan, 75 in the group: ")
	require.Contains(t, violations[2], "POLICY_CEILING require_approval: false in the plan, true in the group: ")
	requireNoPlanCounted(t, reg)
}

func TestAFallbackOfferingTheGroupDoesNotAllowIsFailedPrecondition(t *testing.T) {
	t.Parallel()
	client, _ := startPlanner(t)
	req := validRequest()
	req.Analysis.Policy.AlternativeOfferings = []string{"compute-6"}
	req.Analysis.Opportunity.AlternativeOfferings = []string{"compute-2"}
	_, err := client.CreatePlan(t.Context(), req)
	_, violations := preconditions(t, err)
	require.Contains(t, violations[1], `POLICY_CEILING alternative_offerings: "compute-2" in the plan, ["compute-6"] in the group: `)

	req.Analysis.Opportunity.AlternativeOfferings = []string{"compute-6"}
	resp, err := client.CreatePlan(t.Context(), req)
	require.NoError(t, err, "a fallback the group allows is planned")
	require.Equal(t, []string{"compute-6"}, resp.GetPlan().GetPolicy().GetAlternativeOfferings())
}

func TestStricterOverridesArePlanned(t *testing.T) {
	t.Parallel()
	client, _ := startPlanner(t)
	req := validRequest()
	req.Overrides.MinHealthyPercent, req.Overrides.MaxConcurrent, req.Overrides.RequireApproval =
		proto.Int32(100), proto.Int32(1), proto.Bool(true)
	resp, err := client.CreatePlan(t.Context(), req)
	require.NoError(t, err)
	plan := resp.GetPlan()
	require.Equal(t, int32(4), plan.GetMinHealthyNodes())
	require.True(t, plan.GetRequiresApproval())
	require.Empty(t, plancheck.PlanLoosened(req.GetAnalysis().GetPolicy(), plan))
}

// A NEEDS_REVIEW plan waits for an approval even when neither the policy
// nor the overrides ask for one, and carries the verdict, the group's UID
// and the checks not passed; ValidatePlan agrees with it, and refuses it
// once its approval is edited away.
func TestAnAnalysisToReviewGivesAPlanThatWaitsForApproval(t *testing.T) {
	t.Parallel()
	client, _ := startPlanner(t)
	req := withVerdict(validRequest(), rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW)
	req.Overrides.RequireApproval = proto.Bool(false)
	resp, err := client.CreatePlan(t.Context(), req)
	require.NoError(t, err)
	plan := resp.GetPlan()
	require.True(t, plan.GetRequiresApproval())
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW, plan.GetAnalysisVerdict())
	require.Equal(t, "6f1c2d3e-0000-4000-8000-00000000abcd", plan.GetNodeGroupUid())
	names := make([]string, len(plan.GetFailedChecks()))
	for i, c := range plan.GetFailedChecks() {
		names[i] = c.GetName()
	}
	require.Equal(t, []string{"timing.maintenance_window", "pdb.single_replica"}, names)

	check, err := client.ValidatePlan(t.Context(), &rebalancerv1.ValidatePlanRequest{Plan: plan})
	require.NoError(t, err)
	require.True(t, check.GetValid(), "%v", check.GetViolations())

	edited := proto.CloneOf(plan)
	edited.RequiresApproval = false
	edited.PlanId, err = plancheck.PlanID(edited)
	require.NoError(t, err)
	check, err = client.ValidatePlan(t.Context(), &rebalancerv1.ValidatePlanRequest{Plan: edited})
	require.NoError(t, err)
	require.False(t, check.GetValid())
	require.Equal(t, "plan.requires_approval", check.GetViolations()[0].GetField())
}

func requireNoPlanCounted(t *testing.T, reg prometheus.Gatherer) {
	t.Helper()
	count, err := testutil.GatherAndCount(reg, "vpsie_rebalancing_plans_created_total")
	require.NoError(t, err)
	require.Zero(t, count, "a refused plan is not counted")
}
