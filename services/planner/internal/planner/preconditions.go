package planner

import (
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// checkPreconditions refuses what no batch layout can fix, first rule that
// applies: a group that may not be rebalanced, an analysis that postpones
// or rejects the opportunity, overrides looser than the group's policy
// (group: the analysis' policy without them), nothing safe to replace, no
// room for a replacement, or a capacity floor the group is already at or
// below.
func checkPreconditions(a *rebalancerv1.RebalanceAnalysis, group, p *rebalancerv1.RebalancePolicy, planned int) error {
	if !p.GetEnabled() {
		return &UnmetPolicyError{Rule: "enabled", Reason: "rebalancing is disabled for node group " + a.GetNamespace() + "/" + a.GetNodeGroup()}
	}
	if err := checkVerdict(a); err != nil {
		return err
	}
	if err := checkCeiling(a, group, p); err != nil {
		return err
	}
	if planned == 0 {
		return &UnmetPolicyError{Rule: "safe_to_rebalance", Reason: whyNoneSafe(a.GetCandidateNodes())}
	}
	if err := checkSurge(p); err != nil {
		return err
	}
	return checkFloor(a, p)
}

// checkSurge refuses a policy without surge. Every strategy makes before it
// breaks: an old node is cordoned only once its replacement is Ready, so a
// replacement always stands beside its old node for a while, and without
// room for one no batch can start. Breaking first is never planned, since
// it would take capacity away before its replacement exists.
func checkSurge(p *rebalancerv1.RebalancePolicy) error {
	if p.GetMaxSurge() > 0 {
		return nil
	}
	return &UnmetPolicyError{Rule: "max_surge", Reason: fmt.Sprintf(
		"max_surge 0 leaves no room for a replacement beside its old node, and every strategy makes before it breaks "+
			"(min_healthy_percent %d counts on it): every batch would be empty; allow a surge of at least 1",
		p.GetMinHealthyPercent())}
}

// checkFloor refuses a floor above the nodes known Ready and schedulable.
//
// Every strategy makes before it breaks, so the Ready, schedulable count
// never falls below its value at start; the floor can only be missed when
// it starts below. The Planner counts on the candidates only (safe or not,
// the Analyzer lists Ready, schedulable nodes as candidates), since an
// excluded node may be NotReady, cordoned or control-plane. Below the floor,
// no node may be cordoned at all: every batch would be empty.
func checkFloor(a *rebalancerv1.RebalanceAnalysis, p *rebalancerv1.RebalancePolicy) error {
	floor := plancheck.MinHealthyNodes(p.GetMinHealthyPercent(), a.GetTotalNodes())
	ready := int32(len(a.GetCandidateNodes()))
	if ready >= floor {
		return nil
	}
	return &UnmetPolicyError{Rule: "min_healthy_percent", Reason: fmt.Sprintf(
		"min_healthy_percent %d keeps %d of the group's %d nodes Ready and schedulable at every step, "+
			"but only its %d candidates are known to be (%d excluded nodes are not counted), "+
			"so no node can be cordoned and every batch would be empty",
		p.GetMinHealthyPercent(), floor, a.GetTotalNodes(), ready, a.GetTotalNodes()-ready)}
}
