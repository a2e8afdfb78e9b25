package plancheck

import (
	"testing"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Each case edits one limit of the valid rolling plan.
func TestLimitRulesHoldThePlanToItsPolicy(t *testing.T) {
	t.Parallel()
	runEdits(t, rollingPlan, map[string]editCase{
		"a batch over the policy's batch size": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Policy.BatchSize = 1 },
			fields: []string{"plan.batches[1].nodes"}, says: "holds 2 nodes, above the policy's batch_size 1",
		},
		"max_concurrent below what may run at once": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.MaxConcurrent = 1 },
			fields: []string{"plan.max_concurrent"}, says: "batches 2 may run at once with 2 nodes",
		},
		"max_concurrent above the policy's": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.MaxConcurrent = 4 },
			fields: []string{"plan.max_concurrent"}, says: "above the policy's max_concurrent 3",
		},
		"max_surge below the replacements a batch creates": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.MaxSurge = 1 },
			fields: []string{"plan.max_surge"}, says: "up to 2 replacements",
		},
		"a surge plan above the policy's max_surge": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.Strategy, p.MaxSurge = rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE, 4
			},
			fields: []string{"plan.max_surge"}, says: "above the policy's max_surge 3",
		},
		"a floor that is not the policy's": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.MinHealthyNodes = 2 },
			fields: []string{"plan.min_healthy_nodes"}, says: "want 3: ceil(75% of group_size 4)",
		},
		"a floor above the nodes known Ready": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.Policy.MinHealthyPercent, p.MinHealthyNodes, p.ReadyNodesAtStart = 100, 4, 3
			},
			fields: []string{"plan.min_healthy_nodes"}, says: "keeps 3 Ready, schedulable nodes at its low point",
		},
		"a start count beyond the group": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.ReadyNodesAtStart = 5 },
			fields: []string{"plan.ready_nodes_at_start"}, says: "group_size 4",
		},
		"approval dropped from a plan whose policy requires it": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Policy.RequireApproval = true },
			fields: []string{"plan.requires_approval"}, says: "the policy requires approval",
		},
		"a plan of an analysis that postpones": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.AnalysisVerdict = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE
			},
			fields: []string{"plan.analysis_verdict"}, says: "is RECOMMENDED_ACTION_POSTPONE: only an analysis recommending PROCEED or NEEDS_REVIEW",
		},
		"a plan of an analysis that rejects": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.AnalysisVerdict = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT
			},
			fields: []string{"plan.analysis_verdict"}, says: "is RECOMMENDED_ACTION_REJECT",
		},
		"approval dropped from a plan whose analysis needs review": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.AnalysisVerdict = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW
			},
			fields: []string{"plan.requires_approval"}, says: "the analysis needs review",
		},
		"an ID of other content": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.PlanId = "plan-00000000000000000000" },
			fields: []string{"plan.plan_id"}, says: "an edited plan needs the ID of its new content",
		},
	})
}

// Each case edits one thing of the valid blue-green plan.
func TestBlueGreenRulesKeepMakeBeforeBreak(t *testing.T) {
	t.Parallel()
	runEdits(t, blueGreenPlan, map[string]editCase{
		"a drain before the whole green set is Ready": {
			edit: func(p *rebalancerv1.RebalancePlan) { p.Batches[2].DependsOn = []int32{1} },
			// Drain b now waits for green a only too, and provisioning b may
			// still run when both terminations start: 3 nodes at once.
			fields: []string{"plan.max_concurrent", "plan.batches[2].depends_on", "plan.batches[3].depends_on"},
			says:   "does not wait for PROVISION batches 2",
		},
		"an early drain that also breaks a full floor": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.Batches[2].DependsOn, p.Policy.MinHealthyPercent, p.MinHealthyNodes = []int32{1}, 100, 2
			},
			fields: []string{"plan.max_concurrent", "plan.batches[2].depends_on", "plan.batches[3].depends_on", "plan.min_healthy_nodes"},
			says:   "keeps 1 Ready, schedulable nodes at its low point (from 2 at start), below the floor of 2",
		},
		"a termination before its node's drain": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[5].DependsOn = []int32{3} },
			fields: []string{"plan.batches[5].nodes[0]"}, says: `"b" would be terminated before its drain (batch 4)`,
		},
		"a node never drained": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[3].Nodes = nil },
			fields: []string{"plan.batches[3].nodes", "plan.batches[1].nodes[0].node_name"}, says: "at least one node",
		},
		"a green set above the policy's max_surge": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Policy.MaxSurge = 1 },
			fields: []string{"plan.max_surge"}, says: "above the policy's max_surge 1",
		},
	})
}

// Each case edits one thing of the valid rolling plan's rollback.
func TestRollbackRulesKeepEveryNodeUndoable(t *testing.T) {
	t.Parallel()
	runEdits(t, rollingPlan, map[string]editCase{
		"no rollback at all": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.RollbackPlan = nil },
			fields: []string{"plan.rollback_plan"}, says: "is required",
		},
		"a node that would stay cordoned": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				steps := p.RollbackPlan.Steps
				p.RollbackPlan.Steps = append(steps[:2:2], steps[3:]...)
				renumber(p.RollbackPlan)
			},
			fields: []string{"plan.rollback_plan.steps"}, says: `no ROLLBACK_ACTION_UNCORDON_NODE step for "n-1"`,
		},
		"a delete before the uncordons": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				s := p.RollbackPlan.Steps
				s[1], s[4] = s[4], s[1]
				renumber(p.RollbackPlan)
			},
			fields: []string{
				"plan.rollback_plan.steps[2].action", "plan.rollback_plan.steps[3].action", "plan.rollback_plan.steps[4].action",
			},
			says: `uncordons "n-1" after steps[1] deleted a new node`,
		},
		"a step naming a node outside the plan": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.RollbackPlan.Steps[1].NodeName = "n-9" },
			fields: []string{"plan.rollback_plan.steps[1].node_name", "plan.rollback_plan.steps"}, says: `"n-9" is not a node of the plan`,
		},
		"steps out of order": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.RollbackPlan.Steps[0].Order = 2 },
			fields: []string{"plan.rollback_plan.steps[0].order"}, says: "want 1",
		},
	})
}
