package output

import (
	"fmt"
	"io"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// AnalysisTable shows the verdict first, then the candidates in order, the
// excluded nodes and every check that did not simply pass.
func AnalysisTable(w io.Writer, a *rebalancerv1.RebalanceAnalysis) error {
	op := a.GetOpportunity()
	if err := fields(w,
		"Analysis", a.GetAnalysisId(),
		"NodeGroup", a.GetNamespace()+"/"+a.GetNodeGroup(),
		"Offering", op.GetCurrentOffering()+" -> "+op.GetTargetOffering(),
		"Provisioning", Provisioning(a.GetProvisioning()),
		"Verdict", EnumName(a.GetRecommendedAction().String(), "RECOMMENDED_ACTION_"),
		"Priority", EnumName(a.GetPriority().String(), "REBALANCE_PRIORITY_"),
		"Savings", fmt.Sprintf("%s/month validated (%s claimed)",
			Dollars(a.GetValidatedMonthlySavingsCents()), Dollars(op.GetClaimedMonthlySavingsCents())),
		"Nodes", fmt.Sprintf("%d in group, %d candidates, %d excluded",
			a.GetTotalNodes(), len(a.GetCandidateNodes()), len(a.GetExcludedNodes())),
		"Estimate", Duration(a.GetEstimatedDuration()),
	); err != nil {
		return err
	}
	if err := candidateTable(w, a.GetCandidateNodes()); err != nil {
		return err
	}
	if err := excludedTable(w, a.GetExcludedNodes()); err != nil {
		return err
	}
	return checkTable(w, a.GetSafetyChecks())
}

func candidateTable(w io.Writer, nodes []*rebalancerv1.CandidateNode) error {
	if len(nodes) == 0 {
		return nil
	}
	if err := section(w, "Candidates (replacement order):"); err != nil {
		return err
	}
	t := newTable(w, "NODE", "FROM", "TO", "SAVES/MONTH", "SCORE", "SAFE", "REASON")
	for _, n := range nodes {
		t.row(n.GetNodeName(), n.GetCurrentOffering(), n.GetTargetOffering(),
			Dollars(n.GetCurrentMonthlyPriceCents()-n.GetTargetMonthlyPriceCents()),
			fmt.Sprintf("%.2f", n.GetPriorityScore()), yesNo(n.GetSafeToRebalance()), orDash(n.GetReason()))
	}
	return t.flush()
}

func excludedTable(w io.Writer, nodes []*rebalancerv1.ExcludedNode) error {
	if len(nodes) == 0 {
		return nil
	}
	if err := section(w, "Excluded:"); err != nil {
		return err
	}
	t := newTable(w, "NODE", "REASON")
	for _, n := range nodes {
		t.row(n.GetNodeName(), n.GetReason())
	}
	return t.flush()
}

// checkTable lists the checks that warned or failed; a long list of passes
// hides what matters, and -o json has them all.
func checkTable(w io.Writer, checks []*rebalancerv1.SafetyCheck) error {
	passed := 0
	var notable []*rebalancerv1.SafetyCheck
	for _, c := range checks {
		if c.GetStatus() == rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED {
			passed++
			continue
		}
		notable = append(notable, c)
	}
	if err := section(w, fmt.Sprintf("Safety checks: %d passed, %d to read", passed, len(notable))); err != nil {
		return err
	}
	return checkRows(w, notable)
}

// checkRows tabulates checks, status first; nothing for none.
func checkRows(w io.Writer, checks []*rebalancerv1.SafetyCheck) error {
	if len(checks) == 0 {
		return nil
	}
	t := newTable(w, "STATUS", "CATEGORY", "CHECK", "MESSAGE")
	for _, c := range checks {
		t.row(EnumName(c.GetStatus().String(), "SAFETY_CHECK_STATUS_"),
			EnumName(c.GetCategory().String(), "SAFETY_CHECK_CATEGORY_"), c.GetName(), orDash(c.GetMessage()))
	}
	return t.flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
