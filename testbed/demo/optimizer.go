package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/vpsie/node-rebalancer/cli/output"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// callTimeout bounds each unary call to a service.
const callTimeout = 30 * time.Second

// analyze is the cost optimizer's call: the group's nodes on standard-8
// would fit on compute-4 at half the price.
func analyze(ctx context.Context, cfg Config, s *services) (*rebalancerv1.RebalanceAnalysis, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	resp, err := s.analyzer.AnalyzeRebalance(ctx, &rebalancerv1.AnalyzeRebalanceRequest{
		Namespace: cfg.Namespace, NodeGroup: cfg.Namespace,
		Opportunity: &rebalancerv1.Opportunity{
			Id: "demo-" + cfg.Namespace, CurrentOffering: current, TargetOffering: target,
			ClaimedMonthlySavingsCents: int64(cfg.Nodes) * (4800 - 2400), Confidence: 0.9,
			Reason: "CPU and memory requests fit compute-4 at half the price",
		},
	})
	if err != nil {
		return nil, fmt.Errorf("analyzer: %w", err)
	}
	a := resp.GetAnalysis()
	if err := output.AnalysisTable(cfg.Out, a); err != nil {
		return nil, err
	}
	return a, goAhead(a)
}

// goAhead is the optimizer's reading of the verdict: proceed, or proceed
// after review (the demo plays the reviewer, who has read the warnings).
func goAhead(a *rebalancerv1.RebalanceAnalysis) error {
	switch a.GetRecommendedAction() {
	case rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW:
		return nil
	}
	return fmt.Errorf("the Analyzer's verdict is %s; see its failed checks above",
		output.EnumName(a.GetRecommendedAction().String(), "RECOMMENDED_ACTION_"))
}

// plan asks the Planner for the chosen strategy; the group's policy
// (rebalancing in group.go) gives it the room it needs.
func plan(ctx context.Context, cfg Config, s *services, a *rebalancerv1.RebalanceAnalysis) (*rebalancerv1.RebalancePlan, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	overrides := &rebalancerv1.PlanOverrides{Strategy: cfg.strategy()}
	resp, err := s.planner.CreatePlan(ctx, &rebalancerv1.CreatePlanRequest{Analysis: a, Overrides: overrides})
	if err != nil {
		return nil, fmt.Errorf("planner: %w", err)
	}
	p := resp.GetPlan()
	cfg.printf("\n")
	return p, output.PlanTable(cfg.Out, p)
}

// execute submits the plan and, when the plan asks for an approval, gives
// it as the operator watching the demo would.
func execute(ctx context.Context, s *services, p *rebalancerv1.RebalancePlan) (*rebalancerv1.ExecutionState, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	resp, err := s.executor.ExecutePlan(ctx, &rebalancerv1.ExecutePlanRequest{Plan: p})
	if err != nil {
		return nil, fmt.Errorf("executor: %w", err)
	}
	e := resp.GetExecution()
	if e.GetStatus() != rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL {
		return e, nil
	}
	approved, err := s.executor.ApproveExecution(ctx, &rebalancerv1.ApproveExecutionRequest{ExecutionId: e.GetExecutionId()})
	if err != nil {
		return nil, fmt.Errorf("executor: approve: %w", err)
	}
	return approved.GetExecution(), nil
}
