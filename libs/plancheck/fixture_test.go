package plancheck

import (
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// rollingPlan is a valid hand-made plan: nodes n-0, n-1 and n-2 of a 4-node
// group (one node left out) in batches [n-0] and [n-1 n-2], under a policy of
// batch 3, max_concurrent 3, max_surge 3 and a 75% floor.
func rollingPlan() *rebalancerv1.RebalancePlan {
	p := basePlan(rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING, 4, 75)
	p.Batches = []*rebalancerv1.NodeBatch{
		batch(1, phaseReplace, nil, "n-0"),
		batch(2, phaseReplace, []int32{1}, "n-1", "n-2"),
	}
	p.TotalNodes, p.ReadyNodesAtStart, p.MinHealthyNodes = 3, 4, 3
	p.MaxConcurrent, p.MaxSurge = 3, 3
	return seal(withRollback(p, "n-0", "n-1", "n-2"))
}

// blueGreenPlan is a valid hand-made blue-green plan of nodes a and b, a
// 2-node group with a 50% floor: provision both side by side, drain a then
// b, terminate both side by side.
func blueGreenPlan() *rebalancerv1.RebalancePlan {
	p := basePlan(rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN, 2, 50)
	p.Batches = []*rebalancerv1.NodeBatch{
		batch(1, phaseProvision, nil, "a"),
		batch(2, phaseProvision, nil, "b"),
		batch(3, phaseDrain, []int32{1, 2}, "a"),
		batch(4, phaseDrain, []int32{3}, "b"),
		batch(5, phaseTerminate, []int32{4}, "a"),
		batch(6, phaseTerminate, []int32{4}, "b"),
	}
	p.TotalNodes, p.ReadyNodesAtStart, p.MinHealthyNodes = 2, 2, 1
	p.MaxConcurrent, p.MaxSurge = 2, 2
	return seal(withRollback(p, "a", "b"))
}

func basePlan(s rebalancerv1.RebalanceStrategy, groupSize, minHealthyPercent int32) *rebalancerv1.RebalancePlan {
	return &rebalancerv1.RebalancePlan{
		AnalysisId: "analysis-1", NodeGroup: "web", Namespace: "shop", NodeGroupUid: "0b5e7c1e-7f4a-4c39-9d1e-1f3a2b4c5d6e",
		AnalysisVerdict:   rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED,
		Opportunity:       &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4"},
		Strategy:          s,
		GroupSize:         groupSize,
		EstimatedDuration: durationpb.New(time.Hour),
		CreatedAt:         timestamppb.New(time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)),
		Policy: &rebalancerv1.RebalancePolicy{
			Enabled: true, Strategy: s, BatchSize: 3, MaxConcurrent: 3, MaxSurge: 3, MinHealthyPercent: minHealthyPercent,
		},
	}
}

func batch(number int32, phase rebalancerv1.BatchPhase, deps []int32, names ...string) *rebalancerv1.NodeBatch {
	b := &rebalancerv1.NodeBatch{BatchNumber: number, Phase: phase, DependsOn: deps, EstimatedDuration: durationpb.New(time.Minute)}
	for _, name := range names {
		b.Nodes = append(b.Nodes, &rebalancerv1.CandidateNode{
			NodeName: name, VmIdentifier: "vm-" + name, CurrentOffering: "standard-8", TargetOffering: "compute-4", SafeToRebalance: true,
		})
	}
	return b
}

// withRollback gives p the steps the Executor needs: stop, uncordon every
// node, delete every node's replacement, verify.
func withRollback(p *rebalancerv1.RebalancePlan, names ...string) *rebalancerv1.RebalancePlan {
	rb := &rebalancerv1.RollbackPlan{Automatic: true}
	step := func(action rebalancerv1.RollbackAction, name string) {
		rb.Steps = append(rb.Steps, &rebalancerv1.RollbackStep{Order: int32(len(rb.Steps) + 1), Action: action, NodeName: name})
	}
	step(rebalancerv1.RollbackAction_ROLLBACK_ACTION_STOP_EXECUTION, "")
	for _, name := range names {
		step(actionUncordon, name)
	}
	for _, name := range names {
		step(actionDelete, name)
	}
	step(rebalancerv1.RollbackAction_ROLLBACK_ACTION_VERIFY_WORKLOADS, "")
	p.RollbackPlan = rb
	return p
}

// seal gives p the ID of its content.
func seal(p *rebalancerv1.RebalancePlan) *rebalancerv1.RebalancePlan {
	id, err := PlanID(p)
	if err != nil {
		panic(err)
	}
	p.PlanId = id
	return p
}

// renumber fixes the order of rollback steps after an edit.
func renumber(rb *rebalancerv1.RollbackPlan) {
	for k, s := range rb.GetSteps() {
		s.Order = int32(k + 1)
	}
}
