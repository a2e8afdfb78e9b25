package output

import (
	"fmt"
	"io"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// PlanTable shows the plan's shape and limits, then its batches in order,
// then the analysis' checks that did not pass, which an approver reads.
func PlanTable(w io.Writer, p *rebalancerv1.RebalancePlan) error {
	op := p.GetOpportunity()
	if err := fields(w,
		"Plan", p.GetPlanId(),
		"NodeGroup", p.GetNamespace()+"/"+p.GetNodeGroup(),
		"Verdict", EnumName(p.GetAnalysisVerdict().String(), "RECOMMENDED_ACTION_"),
		"Offering", op.GetCurrentOffering()+" -> "+op.GetTargetOffering(),
		"Strategy", EnumName(p.GetStrategy().String(), "REBALANCE_STRATEGY_")+canaryNote(p.GetCanary()),
		"Nodes", fmt.Sprintf("%d of %d in group", p.GetTotalNodes(), p.GetGroupSize()),
		"Limits", fmt.Sprintf("max concurrent %d, max surge %d, at least %d nodes Ready",
			p.GetMaxConcurrent(), p.GetMaxSurge(), p.GetMinHealthyNodes()),
		"Approval", requiredOrNot(p.GetRequiresApproval()),
		"Rollback", fmt.Sprintf("%d steps, automatic: %s", len(p.GetRollbackPlan().GetSteps()), yesNo(p.GetRollbackPlan().GetAutomatic())),
		"Estimate", Duration(p.GetEstimatedDuration()),
	); err != nil {
		return err
	}
	if err := section(w, "Batches:"); err != nil {
		return err
	}
	t := newTable(w, "BATCH", "PHASE", "NODES", "AFTER", "ESTIMATE")
	for _, b := range p.GetBatches() {
		t.row(fmt.Sprint(b.GetBatchNumber()), EnumName(b.GetPhase().String(), "BATCH_PHASE_"),
			nodeNames(b.GetNodes()), batchList(b.GetDependsOn()), Duration(b.GetEstimatedDuration()))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if len(p.GetFailedChecks()) == 0 {
		return nil
	}
	if err := section(w, fmt.Sprintf("Analysis checks not passed: %d", len(p.GetFailedChecks()))); err != nil {
		return err
	}
	return checkRows(w, p.GetFailedChecks())
}

func nodeNames(nodes []*rebalancerv1.CandidateNode) string {
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.GetNodeName()
	}
	return orDash(strings.Join(names, ","))
}

func batchList(numbers []int32) string {
	parts := make([]string, len(numbers))
	for i, n := range numbers {
		parts[i] = fmt.Sprint(n)
	}
	return orDash(strings.Join(parts, ","))
}

func canaryNote(canary bool) string {
	if canary {
		return " (canary first)"
	}
	return ""
}

func requiredOrNot(b bool) string {
	if b {
		return "required (rebalancectl approve <execution>)"
	}
	return "not required"
}
