package apivalidate

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// fieldsOf returns the violated field paths of err, or nil.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	st := status.Convert(err)
	require.Equal(t, codes.InvalidArgument, st.Code(), err.Error())
	var verr *Error
	require.ErrorAs(t, err, &verr)
	var fields []string
	for _, v := range verr.Violations {
		fields = append(fields, v.GetField())
	}
	return fields
}

func validAnalyze() *rebalancerv1.AnalyzeRebalanceRequest {
	return &rebalancerv1.AnalyzeRebalanceRequest{
		Namespace: "web", NodeGroup: "web",
		Opportunity: &rebalancerv1.Opportunity{
			CurrentOffering: "standard-8", TargetOffering: "compute-4",
			ClaimedMonthlySavingsCents: 14400, Confidence: 0.9,
		},
	}
}

func TestAnalyzeRebalanceRequest(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit func(*rebalancerv1.AnalyzeRebalanceRequest)
		want []string
	}{
		"a valid request passes":            {func(*rebalancerv1.AnalyzeRebalanceRequest) {}, nil},
		"a namespace with capitals":         {func(r *rebalancerv1.AnalyzeRebalanceRequest) { r.Namespace = "Web" }, []string{"namespace"}},
		"no node group":                     {func(r *rebalancerv1.AnalyzeRebalanceRequest) { r.NodeGroup = "" }, []string{"node_group"}},
		"no opportunity":                    {func(r *rebalancerv1.AnalyzeRebalanceRequest) { r.Opportunity = nil }, []string{"opportunity"}},
		"the same current and target":       {func(r *rebalancerv1.AnalyzeRebalanceRequest) { r.Opportunity.TargetOffering = "standard-8" }, []string{"opportunity.target_offering"}},
		"an offering name with spaces":      {func(r *rebalancerv1.AnalyzeRebalanceRequest) { r.Opportunity.CurrentOffering = "big one" }, []string{"opportunity.current_offering"}},
		"a bad alternative offering":        {func(r *rebalancerv1.AnalyzeRebalanceRequest) { r.Opportunity.AlternativeOfferings = []string{"ok", ""} }, []string{"opportunity.alternative_offerings[1]"}},
		"negative claimed savings":          {func(r *rebalancerv1.AnalyzeRebalanceRequest) { r.Opportunity.ClaimedMonthlySavingsCents = -1 }, []string{"opportunity.claimed_monthly_savings_cents"}},
		"a confidence above one":            {func(r *rebalancerv1.AnalyzeRebalanceRequest) { r.Opportunity.Confidence = 1.5 }, []string{"opportunity.confidence"}},
		"every problem is reported at once": {func(r *rebalancerv1.AnalyzeRebalanceRequest) { r.Namespace = ""; r.NodeGroup = "" }, []string{"namespace", "node_group"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := validAnalyze()
			tc.edit(req)
			require.Equal(t, tc.want, fieldsOf(t, Request(req)))
		})
	}
}

func TestRepeatedNodeNamesAreRefused(t *testing.T) {
	t.Parallel()
	err := Request(&rebalancerv1.ValidateRebalanceSafetyRequest{Namespace: "web", NodeGroup: "web", NodeNames: []string{"a", "b", "a"}})
	require.Equal(t, []string{"node_names[2]"}, fieldsOf(t, err))
	require.ErrorContains(t, err, "repeats node_names[0]")
}

func TestCreatePlanRequest(t *testing.T) {
	t.Parallel()
	valid := func() *rebalancerv1.CreatePlanRequest {
		return &rebalancerv1.CreatePlanRequest{Analysis: &rebalancerv1.RebalanceAnalysis{
			Namespace: "web", NodeGroup: "web", TotalNodes: 2, Policy: &rebalancerv1.RebalancePolicy{},
			Opportunity:    validAnalyze().GetOpportunity(),
			CandidateNodes: []*rebalancerv1.CandidateNode{{NodeName: "n1"}, {NodeName: "n2"}},
		}}
	}
	cases := map[string]struct {
		edit func(*rebalancerv1.CreatePlanRequest)
		want []string
	}{
		"a valid request passes":     {func(*rebalancerv1.CreatePlanRequest) {}, nil},
		"no analysis":                {func(r *rebalancerv1.CreatePlanRequest) { r.Analysis = nil }, []string{"analysis"}},
		"a duplicated candidate":     {func(r *rebalancerv1.CreatePlanRequest) { r.Analysis.CandidateNodes[1].NodeName = "n1" }, []string{"analysis.candidate_nodes[1]"}},
		"more candidates than nodes": {func(r *rebalancerv1.CreatePlanRequest) { r.Analysis.TotalNodes = 1 }, []string{"analysis.total_nodes"}},
		"no policy snapshot":         {func(r *rebalancerv1.CreatePlanRequest) { r.Analysis.Policy = nil }, []string{"analysis.policy"}},
		"a bad fallback offering in the group's policy": {func(r *rebalancerv1.CreatePlanRequest) {
			r.Analysis.Policy.AlternativeOfferings = []string{"compute-6", ""}
		}, []string{"analysis.policy.alternative_offerings[1]"}},
		"a zero batch size": {func(r *rebalancerv1.CreatePlanRequest) {
			r.Overrides = &rebalancerv1.PlanOverrides{BatchSize: proto.Int32(0)}
		}, []string{"overrides.batch_size"}},
		"a floor above 100 percent": {func(r *rebalancerv1.CreatePlanRequest) {
			r.Overrides = &rebalancerv1.PlanOverrides{MinHealthyPercent: proto.Int32(150)}
		}, []string{"overrides.min_healthy_percent"}},
		"an unknown strategy": {func(r *rebalancerv1.CreatePlanRequest) { r.Overrides = &rebalancerv1.PlanOverrides{Strategy: 9} }, []string{"overrides.strategy"}},
		"a negative drain timeout": {func(r *rebalancerv1.CreatePlanRequest) {
			r.Overrides = &rebalancerv1.PlanOverrides{DrainTimeout: durationpb.New(-1)}
		}, []string{"overrides.drain_timeout"}},
		"unset overrides keep policy": {func(r *rebalancerv1.CreatePlanRequest) { r.Overrides = &rebalancerv1.PlanOverrides{} }, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := valid()
			tc.edit(req)
			require.Equal(t, tc.want, fieldsOf(t, Request(req)))
		})
	}
}

func TestExecutorRequests(t *testing.T) {
	t.Parallel()
	plan := &rebalancerv1.RebalancePlan{PlanId: "plan-1", Namespace: "web", NodeGroup: "web",
		Batches: []*rebalancerv1.NodeBatch{{Nodes: []*rebalancerv1.CandidateNode{{NodeName: "n1"}}}, {}}}
	require.Equal(t, []string{"plan.batches[1].nodes"}, fieldsOf(t, Request(&rebalancerv1.ExecutePlanRequest{Plan: plan})))
	require.Equal(t, []string{"plan"}, fieldsOf(t, Request(&rebalancerv1.ExecutePlanRequest{})))
	require.Equal(t, []string{"execution_id"}, fieldsOf(t, Request(&rebalancerv1.ApproveExecutionRequest{})))
	require.Equal(t, []string{"execution_id"}, fieldsOf(t, Request(&rebalancerv1.CancelExecutionRequest{ExecutionId: "Bad ID"})))
	require.Equal(t, []string{"execution_id"}, fieldsOf(t, Request(&rebalancerv1.WatchExecutionRequest{})))
	require.Nil(t, fieldsOf(t, Request(&rebalancerv1.GetExecutionRequest{ExecutionId: "exec-1a2b"})))
	require.Equal(t, []string{"namespace", "page_size", "statuses[0]"}, fieldsOf(t, Request(&rebalancerv1.ListExecutionsRequest{
		NodeGroup: "web", PageSize: 5000, Statuses: []rebalancerv1.ExecutionStatus{0},
	})))
}

// TestEveryRPCRequestHasRules walks the API's services, so a new RPC cannot
// ship with a request that nothing checks.
func TestEveryRPCRequestHasRules(t *testing.T) {
	t.Parallel()
	count := 0
	protoregistry.GlobalFiles.RangeFilesByPackage(apiPackage, func(f protoreflect.FileDescriptor) bool {
		for i := range f.Services().Len() {
			methods := f.Services().Get(i).Methods()
			for j := range methods.Len() {
				input := methods.Get(j).Input()
				mt, err := protoregistry.GlobalTypes.FindMessageByName(input.FullName())
				require.NoError(t, err)
				var v violations
				require.True(t, check(&v, mt.New().Interface()), "no validation rules for %s", input.FullName())
				count++
			}
		}
		return true
	})
	require.Equal(t, 13, count, "the API has 13 RPCs")
}

func TestMessagesOfOtherPackagesPass(t *testing.T) {
	t.Parallel()
	require.NoError(t, Request(durationpb.New(0)))
}
