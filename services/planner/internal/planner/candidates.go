package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// plannable returns copies of the candidates safe to rebalance, highest
// priority score first; equal scores keep the Analyzer's order. Copies keep
// the plan from aliasing the caller's analysis (see copyCandidates).
func plannable(candidates []*rebalancerv1.CandidateNode) []*rebalancerv1.CandidateNode {
	n := 0
	for _, c := range candidates {
		if c.GetSafeToRebalance() {
			n++
		}
	}
	safe := make([]*rebalancerv1.CandidateNode, 0, n)
	for _, c := range candidates {
		if c.GetSafeToRebalance() {
			safe = append(safe, c)
		}
	}
	safe = copyCandidates(safe)
	slices.SortStableFunc(safe, func(a, b *rebalancerv1.CandidateNode) int {
		return cmp.Compare(b.GetPriorityScore(), a.GetPriorityScore())
	})
	return safe
}

// maxReasonsShown bounds the reasons quoted when no candidate is safe.
const maxReasonsShown = 3

// whyNoneSafe explains an empty plan with the first candidates' reasons.
func whyNoneSafe(candidates []*rebalancerv1.CandidateNode) string {
	if len(candidates) == 0 {
		return "the analysis has no candidate nodes"
	}
	reasons := make([]string, 0, maxReasonsShown)
	for _, c := range candidates[:min(len(candidates), maxReasonsShown)] {
		reasons = append(reasons, fmt.Sprintf("%s: %s", c.GetNodeName(), c.GetReason()))
	}
	more := ""
	if len(candidates) > maxReasonsShown {
		more = fmt.Sprintf("; and %d more", len(candidates)-maxReasonsShown)
	}
	return fmt.Sprintf("none of the %d candidates is safe to rebalance (%s%s)", len(candidates), strings.Join(reasons, "; "), more)
}
