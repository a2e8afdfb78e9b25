package apivalidate

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func nodeNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("node-%d", i)
	}
	return out
}

func candidates(n int) []*rebalancerv1.CandidateNode {
	out := make([]*rebalancerv1.CandidateNode, n)
	for i, name := range nodeNames(n) {
		out[i] = &rebalancerv1.CandidateNode{NodeName: name}
	}
	return out
}

func checksOf(n int) []*rebalancerv1.SafetyCheck {
	out := make([]*rebalancerv1.SafetyCheck, n)
	for i := range out {
		out[i] = &rebalancerv1.SafetyCheck{}
	}
	return out
}

func batches(n, nodesEach int) []*rebalancerv1.NodeBatch {
	out := make([]*rebalancerv1.NodeBatch, n)
	for i := range out {
		out[i] = &rebalancerv1.NodeBatch{BatchNumber: int32(i + 1), Nodes: candidates(nodesEach)}
	}
	return out
}

// TestListsAboveTheirCapAreRefusedNamingFieldAndCap holds each capped list
// at its cap (accepted) and one above (refused with a single violation on
// the list, whatever its entries).
func TestListsAboveTheirCapAreRefusedNamingFieldAndCap(t *testing.T) {
	t.Parallel()
	safety := func(n int) proto.Message {
		return &rebalancerv1.ValidateRebalanceSafetyRequest{Namespace: "web", NodeGroup: "web", NodeNames: nodeNames(n)}
	}
	plan := func(n int) proto.Message {
		return &rebalancerv1.CreatePlanRequest{Analysis: &rebalancerv1.RebalanceAnalysis{
			Namespace: "web", NodeGroup: "web", TotalNodes: int32(n), Policy: &rebalancerv1.RebalancePolicy{},
			Opportunity: validAnalyze().GetOpportunity(), CandidateNodes: candidates(n),
		}}
	}
	checks := func(n int) proto.Message {
		r := plan(1).(*rebalancerv1.CreatePlanRequest)
		r.Analysis.SafetyChecks = checksOf(n)
		return r
	}
	execute := func(b []*rebalancerv1.NodeBatch, failed int) proto.Message {
		return &rebalancerv1.ExecutePlanRequest{Plan: &rebalancerv1.RebalancePlan{
			PlanId: "plan-1", Namespace: "web", NodeGroup: "web", Batches: b, FailedChecks: checksOf(failed),
		}}
	}
	list := func(n int32) proto.Message { return &rebalancerv1.ListExecutionsRequest{PageSize: n} }

	for _, tc := range []struct {
		name       string
		at, above  proto.Message
		field      string
		limit      int
		aboveCount int
	}{
		{"node names to validate", safety(MaxNodeNames), safety(MaxNodeNames + 1), "node_names", MaxNodeNames, MaxNodeNames + 1},
		{"candidate nodes of an analysis", plan(MaxCandidateNodes), plan(MaxCandidateNodes + 1), "analysis.candidate_nodes", MaxCandidateNodes, MaxCandidateNodes + 1},
		{"safety checks of an analysis", checks(MaxSafetyChecks), checks(MaxSafetyChecks + 1), "analysis.safety_checks", MaxSafetyChecks, MaxSafetyChecks + 1},
		{"batches of a plan", execute(batches(MaxBatches, 1), 0), execute(batches(MaxBatches+1, 1), 0), "plan.batches", MaxBatches, MaxBatches + 1},
		{"nodes of a batch", execute(batches(1, MaxNodesPerBatch), 0), execute(batches(1, MaxNodesPerBatch+1), 0), "plan.batches[0].nodes", MaxNodesPerBatch, MaxNodesPerBatch + 1},
		{"failed checks of a plan", execute(batches(1, 1), MaxSafetyChecks), execute(batches(1, 1), MaxSafetyChecks+1), "plan.failed_checks", MaxSafetyChecks, MaxSafetyChecks + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, Request(tc.at))
			err := Request(tc.above)
			require.Equal(t, []string{tc.field}, fieldsOf(t, err), "one violation, not one per entry")
			require.ErrorContains(t, err, fmt.Sprintf("holds %d entries, above the cap of %d", tc.aboveCount, tc.limit))
		})
	}

	t.Run("page size", func(t *testing.T) {
		t.Parallel()
		require.NoError(t, Request(list(MaxPageSize)))
		err := Request(list(MaxPageSize + 1))
		require.Equal(t, []string{"page_size"}, fieldsOf(t, err))
		require.ErrorContains(t, err, fmt.Sprintf("the cap of %d", MaxPageSize))
	})
}

// TestAnOversizedListHidesNoOtherProblem: refusing a list does not stop
// the other fields being checked.
func TestAnOversizedListHidesNoOtherProblem(t *testing.T) {
	t.Parallel()
	err := Request(&rebalancerv1.ValidateRebalanceSafetyRequest{NodeGroup: "web", NodeNames: nodeNames(MaxNodeNames + 1)})
	require.Equal(t, []string{"namespace", "node_names"}, fieldsOf(t, err))
}
