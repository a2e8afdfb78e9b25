package checks

import (
	"fmt"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

const groupHealth = rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_NODE_GROUP_HEALTH

// Names of the node group health checks.
const (
	NameCandidates      = "group.candidates"
	NameMinNodes        = "group.min_nodes"
	NameMinHealthy      = "group.min_healthy_percent"
	NameActiveExecution = "group.active_execution"
	NameRecentScaling   = "group.recent_scaling"
	NameDraining        = "group.draining_nodes"
)

// Candidates fails when there is nothing to rebalance: no member is a
// candidate or, when the caller named nodes, one of them is not.
func Candidates(in *Input) Result {
	var excluded []string
	for _, m := range in.Members {
		if !m.Candidate() {
			excluded = append(excluded, m.Node.Name+" ("+m.Exclusion+")")
		}
	}
	count := len(in.Members) - len(excluded)
	details := map[string]string{"candidates": fmt.Sprint(count), "excluded": fmt.Sprint(len(excluded))}
	switch {
	case in.NamedNodes && len(excluded) > 0:
		return failed(groupHealth, NameCandidates, "named nodes that cannot be rebalanced: "+listed(excluded), details, false)
	case count == 0:
		return failed(groupHealth, NameCandidates, fmt.Sprintf("no node of group %s is a candidate (of %d): %s",
			in.groupName(), len(in.Members), listed(excluded)), details, false)
	case len(excluded) > 0:
		return passed(groupHealth, NameCandidates, fmt.Sprintf("%d of %d nodes are candidates; left out: %s",
			count, len(in.Members), listed(excluded)), details)
	}
	return passed(groupHealth, NameCandidates, fmt.Sprintf("all %d nodes are candidates", count), details)
}

// readyMembers counts the members that are Ready and schedulable
// (serving) and not being deleted.
func (in *Input) readyMembers() int32 {
	var n int32
	for _, m := range in.Members {
		if m.Serving && m.Node.DeletionTimestamp == nil {
			n++
		}
	}
	return n
}

// MinNodes fails when the group is already below its floor: replacing a
// node now would start from a capacity the operator said is too low.
func MinNodes(in *Input) Result {
	ready, minimum := in.readyMembers(), in.Group.Spec.MinNodes
	details := map[string]string{"readyNodes": fmt.Sprint(ready), "minNodes": fmt.Sprint(minimum)}
	if ready < minimum {
		return failed(groupHealth, NameMinNodes, fmt.Sprintf("group %s has %d Ready, schedulable nodes, below its minNodes of %d",
			in.groupName(), ready, minimum), details, true)
	}
	return passed(groupHealth, NameMinNodes, fmt.Sprintf("%d Ready, schedulable nodes; minNodes %d", ready, minimum), details)
}

// MinHealthy fails when the floor of the policy's minHealthyPercent is
// above the nodes known Ready and schedulable. For an analysis those are
// the candidates, as the Planner counts them; the Planner would refuse.
func MinHealthy(in *Input) Result {
	total := int32(len(in.Members))
	base := in.readyMembers()
	if in.Offer != nil {
		base = int32(len(in.candidates()))
	}
	floor := plancheck.MinHealthyNodes(in.Policy.GetMinHealthyPercent(), total)
	details := map[string]string{"floor": fmt.Sprint(floor), "ready": fmt.Sprint(base), "groupSize": fmt.Sprint(total)}
	if base < floor {
		return failed(groupHealth, NameMinHealthy, fmt.Sprintf(
			"minHealthyPercent %d keeps %d of the group's %d nodes Ready and schedulable, but only %d are known to be",
			in.Policy.GetMinHealthyPercent(), floor, total, base), details, true)
	}
	return passed(groupHealth, NameMinHealthy, fmt.Sprintf("floor of %d nodes, %d Ready and schedulable", floor, base), details)
}

// ActiveExecution fails while an executor runs a plan on the group.
func ActiveExecution(in *Input) Result {
	a := in.Group.Status.ActiveExecution
	if a == nil {
		return passed(groupHealth, NameActiveExecution, "no rebalance is running on the group", nil)
	}
	return failed(groupHealth, NameActiveExecution, fmt.Sprintf("plan %s has been rebalancing group %s since %s",
		a.PlanID, in.groupName(), a.StartTime.UTC().Format(time.RFC3339)), map[string]string{"planID": a.PlanID}, true)
}

// RecentScaling fails when a node joined the group lately (the group is
// scaling, or a rebalance just ended), and warns when the group's
// controller has not caught up with its spec.
func RecentScaling(in *Input) Result {
	var joined []string
	for _, m := range in.Members {
		if age := in.Now.Sub(m.Node.CreationTimestamp.Time); age < in.ScaleUpCooldown {
			joined = append(joined, fmt.Sprintf("%s joined %s ago", m.Node.Name, age.Round(time.Second)))
		}
	}
	if len(joined) > 0 {
		return failed(groupHealth, NameRecentScaling, fmt.Sprintf("the group scaled within the last %s: %s",
			in.ScaleUpCooldown, listed(joined)), map[string]string{"scaleUpCooldown": in.ScaleUpCooldown.String()}, true)
	}
	g := in.Group
	if g.Status.ObservedGeneration < g.Generation {
		return warning(groupHealth, NameRecentScaling, fmt.Sprintf(
			"the group's controller has observed generation %d of its spec, not the current %d",
			g.Status.ObservedGeneration, g.Generation), nil)
	}
	return passed(groupHealth, NameRecentScaling, fmt.Sprintf("no node joined in the last %s", in.ScaleUpCooldown), nil)
}

// Draining fails while a member is being drained by someone else, and
// warns about members merely cordoned (left out of the rebalance).
func Draining(in *Input) Result {
	var draining, cordoned []string
	for _, m := range in.Members {
		switch {
		case m.Draining:
			draining = append(draining, m.Node.Name)
		case !m.Schedulable:
			cordoned = append(cordoned, m.Node.Name)
		}
	}
	if len(draining) > 0 {
		return failed(groupHealth, NameDraining, "nodes already draining: "+listed(draining), nil, true)
	}
	if len(cordoned) > 0 {
		return warning(groupHealth, NameDraining, "cordoned nodes, left as they are: "+listed(cordoned), nil)
	}
	return passed(groupHealth, NameDraining, "no node of the group is cordoned or draining", nil)
}
