package planner

import (
	"fmt"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// checkCeiling refuses a plan looser than its group: the analysis carries
// the group's policy, which overrides may tighten but never loosen, and
// the opportunity may fall back only to offerings the group allows. The
// Executor holds every plan to the same ceiling (plancheck.PlanLoosened),
// so a looser plan would only be refused later. group and policy are the
// analysis' policy with defaults applied, without and with the overrides.
func checkCeiling(a *rebalancerv1.RebalanceAnalysis, group, policy *rebalancerv1.RebalancePolicy) error {
	loose := plancheck.Loosened(group, policy, a.GetOpportunity().GetAlternativeOfferings())
	if len(loose) == 0 {
		return nil
	}
	err := &UnmetPolicyError{Rule: "policy_ceiling"}
	said := make([]string, len(loose))
	for i, l := range loose {
		err.Details = append(err.Details, Detail{Kind: DetailLoosening, Subject: l.Field,
			Description: fmt.Sprintf("%s in the plan, %s in the group: %s", l.Plan, l.Group, l.Why)})
		said[i] = l.String()
	}
	err.Reason = fmt.Sprintf("a plan may be stricter than node group %s/%s's policy, never looser: %s",
		a.GetNamespace(), a.GetNodeGroup(), strings.Join(said, "; "))
	return err
}
