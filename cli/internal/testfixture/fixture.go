// Package testfixture holds the canned API messages the CLI's tests share:
// an analysis, a plan, an execution of three nodes in three rolling batches,
// and the event sequences of its success and of its failure with rollback.
package testfixture

import (
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Names of the fixture's execution.
const (
	Namespace   = "shop"
	Group       = "web"
	AnalysisID  = "analysis-5d1c0e"
	PlanID      = "plan-0123456789abcdef0123"
	ExecutionID = "exec-0123456789abcdef0123"
)

// OldNodes are the group's nodes, replaced in this order, one per batch.
var OldNodes = []string{"web-a", "web-b", "web-c"}

// Start is when the fixture's execution starts; events are 5 s apart.
var Start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// Opportunity is standard-8 at $48 to compute-4 at $24, for three nodes.
func Opportunity() *rebalancerv1.Opportunity {
	return &rebalancerv1.Opportunity{
		Id: "opp-42", CurrentOffering: "standard-8", TargetOffering: "compute-4",
		AlternativeOfferings: []string{"compute-6"}, ClaimedMonthlySavingsCents: 7200,
		Confidence: 0.9, Reason: "CPU-bound pods fit compute-4",
	}
}

// Candidates are the three nodes as the Analyzer reports them.
func Candidates() []*rebalancerv1.CandidateNode {
	out := make([]*rebalancerv1.CandidateNode, len(OldNodes))
	for i, name := range OldNodes {
		out[i] = &rebalancerv1.CandidateNode{
			NodeName: name, VmIdentifier: "vm-" + name, CurrentOffering: "standard-8", TargetOffering: "compute-4",
			Age: durationpb.New(72 * time.Hour), PriorityScore: 0.9 - float64(i)/10, SafeToRebalance: true,
			Reason: "runs standard-8; compute-4 carries its pods", CurrentMonthlyPriceCents: 4800, TargetMonthlyPriceCents: 2400,
		}
	}
	return out
}

// Analysis recommends proceeding with all three nodes.
func Analysis() *rebalancerv1.RebalanceAnalysis {
	return &rebalancerv1.RebalanceAnalysis{
		AnalysisId: AnalysisID, NodeGroup: Group, Namespace: Namespace, TotalNodes: 4,
		CandidateNodes: Candidates(),
		ExcludedNodes:  []*rebalancerv1.ExcludedNode{{NodeName: "web-d", Reason: "cordoned by an operator"}},
		Opportunity:    Opportunity(),
		SafetyChecks: []*rebalancerv1.SafetyCheck{
			{Category: rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_CLUSTER_HEALTH, Name: "cluster.control_plane",
				Status: rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED},
			{Category: rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_POD_DISRUPTION_BUDGETS, Name: "pdb.single_replica",
				Status: rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING, Message: "shop/cron has 1 replica"},
		},
		RecommendedAction:            rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED,
		Priority:                     rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_MEDIUM,
		EstimatedDuration:            durationpb.New(45 * time.Minute),
		AnalyzedAt:                   timestamppb.New(Start.Add(-time.Hour)),
		ValidatedMonthlySavingsCents: 7200,
		Datacenter:                   "ams1",
		Provisioning: &rebalancerv1.Provisioning{Mode: rebalancerv1.ProvisioningMode_PROVISIONING_MODE_MANAGED,
			ClusterId: ClusterID, VpsieGroup: "workers-compute-4", VpsieGroupId: 7},
	}
}

// ClusterID is the VPSie Managed Kubernetes cluster of Analysis's group.
const ClusterID = "3f1c2a9e-5b7d-4e1a-9c0b-2d6f8a4e7b13"

// Plan replaces the three nodes in three rolling batches, each after the
// last, and carries the analysis' verdict and its warning.
func Plan() *rebalancerv1.RebalancePlan {
	p := &rebalancerv1.RebalancePlan{
		PlanId: PlanID, AnalysisId: AnalysisID, NodeGroup: Group, Namespace: Namespace,
		AnalysisVerdict: rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED,
		FailedChecks:    Analysis().GetSafetyChecks()[1:],
		Opportunity:     Opportunity(), TotalNodes: 3, Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		MaxConcurrent: 1, MaxSurge: 1, MinHealthyNodes: 3, GroupSize: 4, ReadyNodesAtStart: 3,
		EstimatedDuration: durationpb.New(45 * time.Minute), CreatedAt: timestamppb.New(Start.Add(-time.Hour)),
		RollbackPlan: &rebalancerv1.RollbackPlan{Automatic: true, Steps: []*rebalancerv1.RollbackStep{
			{Order: 1, Action: rebalancerv1.RollbackAction_ROLLBACK_ACTION_STOP_EXECUTION},
			{Order: 2, Action: rebalancerv1.RollbackAction_ROLLBACK_ACTION_VERIFY_WORKLOADS},
		}},
	}
	for i, c := range Candidates() {
		b := &rebalancerv1.NodeBatch{
			BatchNumber: int32(i + 1), Phase: rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE,
			Nodes: []*rebalancerv1.CandidateNode{c}, EstimatedDuration: durationpb.New(15 * time.Minute),
		}
		if i > 0 {
			b.DependsOn = []int32{int32(i)}
		}
		p.Batches = append(p.Batches, b)
	}
	return p
}

// Execution is the fixture's execution as ExecutePlan returns it: pending,
// every node waiting in its batch.
func Execution() *rebalancerv1.ExecutionState {
	e := &rebalancerv1.ExecutionState{
		ExecutionId: ExecutionID, PlanId: PlanID, NodeGroup: Group, Namespace: Namespace,
		Status: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PENDING,
	}
	for i, name := range OldNodes {
		e.Nodes = append(e.Nodes, &rebalancerv1.NodeExecution{
			OldNode: name, OldVmIdentifier: "vm-" + name, NewHostname: NewNode(name),
			Phase: rebalancerv1.NodePhase_NODE_PHASE_PENDING, BatchNumber: int32(i + 1),
		})
	}
	return e
}

// NewNode is the replacement's name for an old node.
func NewNode(old string) string { return old + "-r1" }
