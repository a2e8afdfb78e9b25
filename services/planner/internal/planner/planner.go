// Package planner turns a RebalanceAnalysis into a RebalancePlan. It is pure:
// no I/O, no clock, no randomness, so the same analysis and overrides give
// the same plan, with the same content-derived ID, on every replica.
//
// A strategy (rolling, surge, blue-green) lays the safe candidates out in
// batches within the policy's limits; the rest (estimates, rollback steps,
// the floor, the ID) is derived from that layout. See README.md beside the
// service for the model.
package planner

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// CreatePlan plans the rebalance analysis a describes under its group's
// policy with overrides o (nil for none). It returns an
// *InvalidAnalysisError for malformed input and an *UnmetPolicyError when no
// plan can keep the policy, when the analysis postpones or rejects the
// opportunity, or when the overrides would loosen the group's policy.
func CreatePlan(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) (*rebalancerv1.RebalancePlan, error) {
	if err := checkRequest(a, o); err != nil {
		return nil, err
	}
	group, policy := effectivePolicy(a.GetPolicy(), nil), effectivePolicy(a.GetPolicy(), o)
	nodes := plannable(a.GetCandidateNodes())
	if err := checkPreconditions(a, group, policy, len(nodes)); err != nil {
		return nil, err
	}
	l, err := strategyFor(policy.GetStrategy()).layout(len(nodes), limitsOf(policy, wantsCanary(policy, o)))
	if err != nil {
		return nil, err
	}
	batches := renderBatches(l, nodes, policy)
	plan := &rebalancerv1.RebalancePlan{
		AnalysisId:        a.GetAnalysisId(),
		NodeGroup:         a.GetNodeGroup(),
		Namespace:         a.GetNamespace(),
		Opportunity:       proto.CloneOf(a.GetOpportunity()),
		Batches:           batches,
		TotalNodes:        int32(len(nodes)),
		Strategy:          policy.GetStrategy(),
		MaxConcurrent:     int32(l.peakRunning),
		MaxSurge:          int32(l.peakSurge),
		MinHealthyNodes:   plancheck.MinHealthyNodes(policy.GetMinHealthyPercent(), a.GetTotalNodes()),
		GroupSize:         a.GetTotalNodes(),
		RollbackPlan:      rollbackPlan(batches, policy.GetStrategy() == rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN),
		EstimatedDuration: durationpb.New(planDuration(batches)),
		CreatedAt:         proto.CloneOf(a.GetAnalyzedAt()),
		RequiresApproval:  requiresApproval(a, policy),
		Policy:            policy,
		Canary:            wantsCanary(policy, o),
		ReadyNodesAtStart: int32(len(a.GetCandidateNodes())),
		NodeGroupUid:      a.GetNodeGroupUid(),
		AnalysisVerdict:   a.GetRecommendedAction(),
		FailedChecks:      failedChecks(a.GetSafetyChecks()),
	}
	if c, ok := costsOf(a.GetStepTimings()); ok {
		plan.ExpectedDuration = durationpb.New(expectedDuration(plan, c)) // expected.go
	}
	if plan.PlanId, err = plancheck.PlanID(plan); err != nil {
		return nil, fmt.Errorf("derive plan ID: %w", err)
	}
	return plan, nil
}
