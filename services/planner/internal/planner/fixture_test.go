package planner

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// analyzedAt is the fixture's analysis time; plans take created_at from it.
var analyzedAt = time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)

// validAnalysis is a group of n nodes, all safe candidates moving from
// standard-8 to compute-4, under the NodeGroup's default policy. Tests
// change one thing of it.
func validAnalysis(n int) *rebalancerv1.RebalanceAnalysis {
	a := &rebalancerv1.RebalanceAnalysis{
		AnalysisId: "analysis-1",
		NodeGroup:  "web",
		Namespace:  "shop",
		TotalNodes: int32(n),
		Opportunity: &rebalancerv1.Opportunity{
			Id: "opp-1", CurrentOffering: "standard-8", TargetOffering: "compute-4",
			ClaimedMonthlySavingsCents: int64(n) * 2400, Confidence: 0.9,
		},
		RecommendedAction: rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED,
		AnalyzedAt:        timestamppb.New(analyzedAt),
		Policy:            defaultPolicy(),
	}
	for i := range n {
		a.CandidateNodes = append(a.CandidateNodes, candidate(i, float64(n-i)))
	}
	return a
}

func candidate(i int, score float64) *rebalancerv1.CandidateNode {
	return &rebalancerv1.CandidateNode{
		NodeName:                 fmt.Sprintf("web-%03d", i),
		VmIdentifier:             fmt.Sprintf("vm-%03d", i),
		CurrentOffering:          "standard-8",
		TargetOffering:           "compute-4",
		PriorityScore:            score,
		SafeToRebalance:          true,
		Reason:                   "runs standard-8; compute-4 carries its pods",
		CurrentMonthlyPriceCents: 4800,
		TargetMonthlyPriceCents:  2400,
		Workloads: []*rebalancerv1.Workload{{
			Namespace: "shop", PodName: fmt.Sprintf("api-%03d", i), OwnerKind: "ReplicaSet", OwnerName: "api", Replicas: 3,
		}},
	}
}

func defaultPolicy() *rebalancerv1.RebalancePolicy {
	return &rebalancerv1.RebalancePolicy{
		Enabled:            true,
		Strategy:           rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		MaxConcurrent:      2,
		BatchSize:          1,
		MaxSurge:           1,
		DrainTimeout:       durationpb.New(5 * time.Minute),
		ProvisionTimeout:   durationpb.New(10 * time.Minute),
		MinHealthyPercent:  75,
		RespectPdbs:        true,
		DrainTimeoutAction: rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK,
	}
}

func ptr[T any](v T) *T { return &v }
