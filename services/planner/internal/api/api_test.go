package api

import (
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func TestCreatePlanAnswersAValidPlanAndCountsIt(t *testing.T) {
	t.Parallel()
	client, reg := startPlanner(t)
	resp, err := client.CreatePlan(t.Context(), validRequest())
	require.NoError(t, err)
	plan := resp.GetPlan()
	require.Regexp(t, `^plan-v3-[0-9a-f]{20}$`, plan.GetPlanId())
	require.Len(t, plan.GetBatches(), 4)
	require.Equal(t, int32(3), plan.GetMinHealthyNodes())

	check, err := client.ValidatePlan(t.Context(), &rebalancerv1.ValidatePlanRequest{Plan: plan})
	require.NoError(t, err)
	require.True(t, check.GetValid(), "%v", check.GetViolations())

	want := `
# HELP vpsie_rebalancing_plans_created_total Rebalance plans created, by node group and strategy.
# TYPE vpsie_rebalancing_plans_created_total counter
vpsie_rebalancing_plans_created_total{namespace="shop",node_group="web",strategy="rolling"} 1
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want), "vpsie_rebalancing_plans_created_total"))
}

func TestAnImpossibleFloorIsFailedPreconditionNamingTheLimit(t *testing.T) {
	t.Parallel()
	client, reg := startPlanner(t)
	req := validRequest()
	req.Analysis.TotalNodes = 8 // 4 nodes excluded: the floor of 6 is above the 4 known Ready
	_, err := client.CreatePlan(t.Context(), req)
	st := status.Convert(err)
	require.Equal(t, codes.FailedPrecondition, st.Code(), st.Message())
	require.Contains(t, st.Message(), "min_healthy_percent")
	var failure *errdetails.PreconditionFailure
	for _, d := range st.Details() {
		if f, ok := d.(*errdetails.PreconditionFailure); ok {
			failure = f
		}
	}
	require.NotNil(t, failure)
	require.Equal(t, "min_healthy_percent", failure.GetViolations()[0].GetSubject())
	count, err := testutil.GatherAndCount(reg, "vpsie_rebalancing_plans_created_total")
	require.NoError(t, err)
	require.Zero(t, count, "a refused plan is not counted")
}

// Each case breaks one field of a valid request; the interceptor or the
// planner refuses it with InvalidArgument naming that field.
func TestMalformedRequestsAreInvalidArgumentNamingTheField(t *testing.T) {
	t.Parallel()
	client, _ := startPlanner(t)
	cases := map[string]struct {
		change func(r *rebalancerv1.CreatePlanRequest)
		field  string
	}{
		"an override of zero nodes per batch (the interceptor)": {
			change: func(r *rebalancerv1.CreatePlanRequest) { zero := int32(0); r.Overrides.BatchSize = &zero },
			field:  "overrides.batch_size",
		},
		"a namespace that is not a name (the interceptor)": {
			change: func(r *rebalancerv1.CreatePlanRequest) { r.Analysis.Namespace = "Shop!" },
			field:  "analysis.namespace",
		},
		"a candidate moving to another offering (the planner)": {
			change: func(r *rebalancerv1.CreatePlanRequest) { r.Analysis.CandidateNodes[1].TargetOffering = "general-2" },
			field:  "analysis.candidate_nodes[1].target_offering",
		},
		"an analysis without a time (the planner)": {
			change: func(r *rebalancerv1.CreatePlanRequest) { r.Analysis.AnalyzedAt = nil },
			field:  "analysis.analyzed_at",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := validRequest()
			tc.change(req)
			_, err := client.CreatePlan(t.Context(), req)
			st := status.Convert(err)
			require.Equal(t, codes.InvalidArgument, st.Code(), st.Message())
			require.Contains(t, badRequestFields(st), tc.field)
		})
	}
}

func badRequestFields(st *status.Status) []string {
	var out []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, v.GetField())
			}
		}
	}
	return out
}

func TestUnexpectedErrorsAreInternalWithoutTheirCause(t *testing.T) {
	t.Parallel()
	st := status.Convert(Errors.Map(errors.New("encode plan: disk on fire")))
	require.Equal(t, codes.Internal, st.Code())
	require.Equal(t, "internal error", st.Message())
}
