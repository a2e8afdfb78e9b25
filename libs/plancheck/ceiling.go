package plancheck

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// The group's policy is a ceiling: a plan may be stricter than its
// NodeGroup's spec.rebalancing, never looser. The Planner refuses overrides
// that would loosen it, and the Executor holds every plan to the live
// group's policy, since a plan may have been made under an older one or
// edited.
//
// Not compared: the strategy and the timeouts (neither is looser in itself;
// the limits above bound what a strategy may do), the savings threshold
// (the Analyzer's concern), and the windows, cooldown and time zone, which
// the Executor reads from the live group rather than from the plan.

// Loosening is one way a plan is looser than its group's policy.
type Loosening struct {
	// Field is the RebalancePolicy field, e.g. "min_healthy_percent".
	Field string
	// Plan and Group are the two values as an operator reads them:
	// "50" and "75", "FORCE" and "ROLLBACK", an offering and the list the
	// group allows.
	Plan, Group string
	// Why says what the looser value would allow, in a few words.
	Why string
}

// String is "min_healthy_percent is 50 in the plan but 75 in the group: ...".
func (l Loosening) String() string {
	return fmt.Sprintf("%s is %s in the plan but %s in the group: %s", l.Field, l.Plan, l.Group, l.Why)
}

// Loosened lists every way a plan's policy, and the offerings it may fall
// back to, are looser than group, the NodeGroup's policy with defaults
// applied; none means the plan keeps within it. Rules, each reported
// under its field:
//
//   - enabled: on where the group's is off;
//   - min_healthy_percent: lower;
//   - max_concurrent, batch_size, max_surge: higher;
//   - drain_timeout_action: looser, from rolling back (or unset, which means
//     it) to deleting pods past their budgets (FORCE); an action this code
//     does not know counts as loosest;
//   - require_approval, respect_pdbs, skip_nodes_with_local_storage: false
//     where the group's is true;
//   - rollout_single_replica_deployments: on where the group's is off
//     (unset means on, on either side), since a rollout moves the pod
//     without asking its PodDisruptionBudget;
//   - canary: off where the group's is on; canary_soak, batch_soak_time:
//     shorter; health_gate: dropped, another query or a higher maximum;
//   - alternative_offerings: each offering of the plan's policy or of
//     fallbacks (for a plan, its opportunity's alternatives and any node's
//     target other than the opportunity's) that the group's
//     alternative_offerings does not hold, once, in order of first use.
func Loosened(group, plan *rebalancerv1.RebalancePolicy, fallbacks []string) []Loosening {
	var out []Loosening
	add := func(field, planValue, groupValue, why string) {
		out = append(out, Loosening{Field: field, Plan: planValue, Group: groupValue, Why: why})
	}
	if plan.GetEnabled() && !group.GetEnabled() {
		add("enabled", "true", "false", "rebalancing is disabled for the group")
	}
	if p, g := plan.GetMinHealthyPercent(), group.GetMinHealthyPercent(); p < g {
		add("min_healthy_percent", itoa(p), itoa(g), "a lower capacity floor keeps fewer nodes Ready")
	}
	if p, g := plan.GetMaxConcurrent(), group.GetMaxConcurrent(); p > g {
		add("max_concurrent", itoa(p), itoa(g), "more nodes would be replaced at once")
	}
	if p, g := plan.GetBatchSize(), group.GetBatchSize(); p > g {
		add("batch_size", itoa(p), itoa(g), "more nodes would be drained per batch")
	}
	if p, g := plan.GetMaxSurge(), group.GetMaxSurge(); p > g {
		add("max_surge", itoa(p), itoa(g), "more replacement VMs would exist beside their old nodes")
	}
	if p, g := plan.GetDrainTimeoutAction(), group.GetDrainTimeoutAction(); looserDrainAction(p, g) {
		add("drain_timeout_action", drainActionName(p), drainActionName(g), "a drain that times out would go further")
	}
	if !plan.GetRequireApproval() && group.GetRequireApproval() {
		add("require_approval", "false", "true", "the plan would run without an approval")
	}
	if !plan.GetRespectPdbs() && group.GetRespectPdbs() {
		add("respect_pdbs", "false", "true", "pods could leave past their PodDisruptionBudgets")
	}
	if !plan.GetSkipNodesWithLocalStorage() && group.GetSkipNodesWithLocalStorage() {
		add("skip_nodes_with_local_storage", "false", "true", "nodes whose pods keep data on local storage could be replaced")
	}
	if p, g := rolloutOn(plan), rolloutOn(group); p && !g {
		add("rollout_single_replica_deployments", rolloutName(plan), rolloutName(group),
			"single-replica Deployments would be rolled out, which no PodDisruptionBudget is asked about, instead of evicted")
	}
	loosenedSoaks(group, plan, add) // soaks.go
	allowed := group.GetAlternativeOfferings()
	for _, o := range offeringsUsed(plan.GetAlternativeOfferings(), fallbacks) {
		if !slices.Contains(allowed, o) {
			add("alternative_offerings", strconv.Quote(o), offeringList(allowed), "the plan could fall back to an offering the group does not allow")
		}
	}
	return out
}

// PlanLoosened is Loosened for a whole plan: its policy, its opportunity's
// alternative offerings, and the target offering of any batch node that is
// not the opportunity's target (plancheck.Check refuses such a node too;
// here it is named as a loosening of the group's offerings).
func PlanLoosened(group *rebalancerv1.RebalancePolicy, p *rebalancerv1.RebalancePlan) []Loosening {
	target := p.GetOpportunity().GetTargetOffering()
	fallbacks := slices.Clone(p.GetOpportunity().GetAlternativeOfferings())
	for _, b := range p.GetBatches() {
		for _, n := range b.GetNodes() {
			if o := n.GetTargetOffering(); o != target {
				fallbacks = append(fallbacks, o)
			}
		}
	}
	return Loosened(group, p.GetPolicy(), fallbacks)
}

// drainActionLooseness orders the drain timeout actions from the strictest:
// giving the node back (ROLLBACK, or unset, which means it), then deleting
// the pods left past their budgets (FORCE). An action this code does not
// know ranks loosest, so a plan cannot slip a newer one past it.
func drainActionLooseness(a rebalancerv1.DrainTimeoutAction) int {
	switch a {
	case rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_UNSPECIFIED,
		rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK:
		return 0
	case rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE:
		return 1
	}
	return 2
}

func looserDrainAction(plan, group rebalancerv1.DrainTimeoutAction) bool {
	p, g := drainActionLooseness(plan), drainActionLooseness(group)
	return p > g || (p == 2 && plan != group)
}

func drainActionName(a rebalancerv1.DrainTimeoutAction) string {
	if a == rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_UNSPECIFIED {
		return "unset (ROLLBACK)"
	}
	if name, ok := rebalancerv1.DrainTimeoutAction_name[int32(a)]; ok {
		return strings.TrimPrefix(name, "DRAIN_TIMEOUT_ACTION_")
	}
	return "unknown action " + strconv.Itoa(int(a))
}

// rolloutOn reads rollout_single_replica_deployments as the Executor does:
// unset means on.
func rolloutOn(p *rebalancerv1.RebalancePolicy) bool {
	return p == nil || p.RolloutSingleReplicaDeployments == nil || *p.RolloutSingleReplicaDeployments
}

func rolloutName(p *rebalancerv1.RebalancePolicy) string {
	if p == nil || p.RolloutSingleReplicaDeployments == nil {
		return "unset (true)"
	}
	return strconv.FormatBool(*p.RolloutSingleReplicaDeployments)
}

// offeringsUsed lists each non-empty offering of the lists once, in order.
func offeringsUsed(lists ...[]string) []string {
	var out []string
	for _, list := range lists {
		for _, o := range list {
			if o != "" && !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

func offeringList(offerings []string) string {
	if len(offerings) == 0 {
		return "none"
	}
	quoted := make([]string, len(offerings))
	for i, o := range offerings {
		quoted[i] = strconv.Quote(o)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

func itoa(v int32) string { return strconv.Itoa(int(v)) }
