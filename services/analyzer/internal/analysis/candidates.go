package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
)

// candidateNodes turns the candidate members into the API's candidates,
// scored and sorted (highest score first, then by name), each safe unless
// a check blocked it.
func candidateNodes(members []*facts.Member, offer *checks.Offer, blockers map[string][]string, now time.Time) []*rebalancerv1.CandidateNode {
	var out []*rebalancerv1.CandidateNode
	perNode := offer.SavingsPerNodeCents()
	for _, m := range members {
		if !m.Candidate() {
			continue
		}
		vm, _ := v1alpha1.VMIdentifier(m.Node.Spec.ProviderID)
		age := now.Sub(m.Node.CreationTimestamp.Time)
		c := &rebalancerv1.CandidateNode{
			NodeName:                 m.Node.Name,
			VmIdentifier:             vm,
			CurrentOffering:          m.Node.Labels[v1alpha1.LabelInstanceType],
			TargetOffering:           offer.Opportunity.GetTargetOffering(),
			Age:                      durationpb.New(max(age, 0)),
			PriorityScore:            score(perNode, age, m.Pods),
			SafeToRebalance:          len(blockers[m.Node.Name]) == 0,
			Reason:                   reason(offer, blockers[m.Node.Name]),
			CurrentMonthlyPriceCents: priceCents(offer, offer.Current.MonthlyPrice),
			TargetMonthlyPriceCents:  priceCents(offer, offer.Target.MonthlyPrice),
		}
		for _, p := range m.Pods {
			c.Workloads = append(c.Workloads, p.Workload)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *rebalancerv1.CandidateNode) int {
		return cmp.Or(cmp.Compare(b.GetPriorityScore(), a.GetPriorityScore()), cmp.Compare(a.GetNodeName(), b.GetNodeName()))
	})
	return out
}

func priceCents(offer *checks.Offer, usd float64) int64 {
	if !offer.Priced() {
		return 0
	}
	return checks.Cents(usd)
}

// reason says why the node is a candidate, or what blocks it.
func reason(offer *checks.Offer, blockers []string) string {
	if len(blockers) > 0 {
		return "not safe: " + strings.Join(slices.Compact(blockers), "; ")
	}
	opp := offer.Opportunity
	if !offer.Priced() {
		return fmt.Sprintf("runs %s; to move to %s (not priced: no catalogue price)", opp.GetCurrentOffering(), opp.GetTargetOffering())
	}
	return fmt.Sprintf("runs %s at $%.2f/month; %s at $%.2f/month saves $%.2f/month",
		offer.Current.Name, offer.Current.MonthlyPrice, offer.Target.Name, offer.Target.MonthlyPrice,
		float64(offer.SavingsPerNodeCents())/100)
}

// excludedNodes lists the members that are not candidates, with why.
func excludedNodes(members []*facts.Member) []*rebalancerv1.ExcludedNode {
	var out []*rebalancerv1.ExcludedNode
	for _, m := range members {
		if !m.Candidate() {
			out = append(out, &rebalancerv1.ExcludedNode{NodeName: m.Node.Name, Reason: m.Exclusion})
		}
	}
	return out
}

// priority grades the validated savings as a share of the candidates'
// current cost: 40% and more is high, 20% medium, anything else low.
func priority(savingsCents, costCents int64) rebalancerv1.RebalancePriority {
	switch {
	case costCents <= 0:
		return rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_UNSPECIFIED
	case savingsCents*100 >= 40*costCents:
		return rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_HIGH
	case savingsCents*100 >= 20*costCents:
		return rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_MEDIUM
	}
	return rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_LOW
}
