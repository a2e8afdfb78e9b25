package apivalidate

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// fuzzRequests are the requests that carry more than an ID, in the order
// FuzzRequest's kind picks them.
func fuzzRequests() []proto.Message {
	return []proto.Message{
		&rebalancerv1.AnalyzeRebalanceRequest{},
		&rebalancerv1.ValidateRebalanceSafetyRequest{},
		&rebalancerv1.CreatePlanRequest{},
		&rebalancerv1.ValidatePlanRequest{},
		&rebalancerv1.ExecutePlanRequest{},
		&rebalancerv1.ListExecutionsRequest{},
		&rebalancerv1.ApproveExecutionRequest{},
		&rebalancerv1.WatchExecutionRequest{},
	}
}

// FuzzRequest decodes any bytes as any request and validates it: Request
// never panics, answers nil or an *Error that is InvalidArgument with a
// named field per violation (never Internal: every request has rules),
// answers the same for a decoded copy, and accepts what it accepted once
// encoded and decoded again.
func FuzzRequest(f *testing.F) {
	seeds := []proto.Message{
		validAnalyze(),
		&rebalancerv1.ValidateRebalanceSafetyRequest{Namespace: "web", NodeGroup: "web", NodeNames: []string{"a", "b", "a"}},
		&rebalancerv1.CreatePlanRequest{Analysis: &rebalancerv1.RebalanceAnalysis{
			Namespace: "web", NodeGroup: "web", TotalNodes: 2, Policy: &rebalancerv1.RebalancePolicy{},
			Opportunity:    validAnalyze().GetOpportunity(),
			CandidateNodes: []*rebalancerv1.CandidateNode{{NodeName: "n1"}, {NodeName: "n2"}},
		}, Overrides: &rebalancerv1.PlanOverrides{BatchSize: proto.Int32(2), DrainTimeout: durationpb.New(-1)}},
		&rebalancerv1.ValidatePlanRequest{Plan: &rebalancerv1.RebalancePlan{}},
		&rebalancerv1.ExecutePlanRequest{Plan: &rebalancerv1.RebalancePlan{PlanId: "plan-1", Namespace: "web", NodeGroup: "web",
			Batches: []*rebalancerv1.NodeBatch{{Nodes: []*rebalancerv1.CandidateNode{{NodeName: "n1"}}}, {}}}},
		&rebalancerv1.ListExecutionsRequest{NodeGroup: "web", PageSize: 5000, Statuses: []rebalancerv1.ExecutionStatus{0}},
		&rebalancerv1.ApproveExecutionRequest{ExecutionId: "exec-1a2b"},
		&rebalancerv1.WatchExecutionRequest{ExecutionId: "Bad ID"},
	}
	for i, m := range seeds {
		b, err := proto.Marshal(m)
		require.NoError(f, err)
		f.Add(uint8(i), b)
	}
	f.Fuzz(func(t *testing.T, kind uint8, b []byte) {
		kinds := fuzzRequests()
		req := kinds[int(kind)%len(kinds)]
		if proto.Unmarshal(b, req) != nil {
			return
		}
		err := Request(req)
		if err != nil {
			var verr *Error
			require.ErrorAs(t, err, &verr)
			require.Equal(t, codes.InvalidArgument, status.Code(err))
			require.NotEmpty(t, verr.Violations)
			for _, v := range verr.Violations {
				require.NotEmpty(t, v.GetField())
				require.NotEmpty(t, v.GetDescription())
			}
		}
		again, merr := proto.Marshal(req)
		require.NoError(t, merr)
		copied := req.ProtoReflect().New().Interface()
		require.NoError(t, proto.Unmarshal(again, copied), "what validation saw encodes and decodes")
		err2 := Request(copied)
		require.Equal(t, err == nil, err2 == nil, "a decoded copy gets the same answer")
		if err != nil {
			require.Equal(t, err.Error(), err2.Error())
		}
	})
}
