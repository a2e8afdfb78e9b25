package analysis

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
)

// verdict derives the recommended action from the checks, first rule that
// applies:
//
//	a group-wide failure time will not clear (no fit, no savings,
//	target unavailable, quota, fully blocking budget, ...)        REJECT
//	a group-wide failure time may clear (window, cooldown, peak
//	hours, a running plan, unready nodes, recent scaling, ...)   POSTPONE
//	no candidate safe, but some blocked only by what may clear   POSTPONE
//	no candidate safe                                            REJECT
//	some candidates unsafe (the plan would move only the rest)   NEEDS_REVIEW
//	any warning                                                  NEEDS_REVIEW
//	otherwise                                                    PROCEED
func verdict(results []checks.Result, candidates []string) rebalancerv1.RecommendedAction {
	groupWait, groupReject, warned := false, false, false
	blocked := map[string]bool{} // node → blocked only by what may clear
	for _, r := range results {
		switch {
		case r.Failed() && r.NodeScoped():
			for _, b := range r.Blockers {
				waitOnly, seen := blocked[b.Node]
				blocked[b.Node] = b.Wait && (!seen || waitOnly)
			}
		case r.Failed() && r.Wait:
			groupWait = true
		case r.Failed():
			groupReject = true
		case r.Check.GetStatus() == rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING:
			warned = true
		}
	}
	safe, waitable := 0, false
	for _, name := range candidates {
		waitOnly, isBlocked := blocked[name]
		if !isBlocked {
			safe++
		}
		waitable = waitable || (isBlocked && waitOnly)
	}
	switch {
	case groupReject:
		return rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT
	case groupWait:
		return rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE
	case safe == 0 && waitable:
		return rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE
	case safe == 0:
		return rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT
	case safe < len(candidates) || warned:
		return rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW
	}
	return rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED
}

// blockersByNode collects the reasons each node is not safe.
func blockersByNode(results []checks.Result) map[string][]string {
	out := map[string][]string{}
	for _, r := range results {
		if !r.Failed() {
			continue
		}
		for _, b := range r.Blockers {
			out[b.Node] = append(out[b.Node], b.Reason)
		}
	}
	return out
}
