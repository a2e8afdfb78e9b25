package checks

import (
	"fmt"

	"github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"
)

// NameSavings is the opportunity's own check. The API has no category for
// "worth it", so it sits with resources: both say whether the target
// offering can carry the group, and at what price.
const NameSavings = "opportunity.savings"

// claimTolerance is how far above the recomputed savings an optimizer's
// claim may be before an operator is told (10%).
const claimTolerance = 1.10

// Savings recomputes the monthly savings over the candidates from
// catalogue prices, fails below the policy's minSavingsPercent, and warns
// when the optimizer claimed much more.
func Savings(in *Input) Result {
	o := in.Offer
	if o.CurrentSold == catalogue.Unknown {
		return failed(resources, NameSavings, fmt.Sprintf("no price for the current offering %s in the %s",
			o.Opportunity.GetCurrentOffering(), o.priceList()), nil, false)
	}
	if o.TargetSold == catalogue.Unknown {
		return failed(resources, NameSavings, fmt.Sprintf("no price for the target offering %s in the %s",
			o.Opportunity.GetTargetOffering(), o.priceList()), nil, false)
	}
	n := int64(len(in.candidates()))
	perNode, current := o.SavingsPerNodeCents(), Cents(o.Current.MonthlyPrice)
	total, cost := n*perNode, n*current
	details := map[string]string{
		"validatedMonthlySavingsCents": fmt.Sprint(total), "claimedMonthlySavingsCents": fmt.Sprint(o.Opportunity.GetClaimedMonthlySavingsCents()),
		"currentMonthlyCostCents": fmt.Sprint(cost), "nodes": fmt.Sprint(n),
		"minSavingsPercent": fmt.Sprint(in.Policy.GetMinSavingsPercent()),
	}
	prices := fmt.Sprintf("%s at %s/month to %s at %s/month", o.Current.Name, dollars(current), o.Target.Name, dollars(Cents(o.Target.MonthlyPrice)))
	switch {
	case n == 0:
		return failed(resources, NameSavings, "no candidate node, so nothing to save", details, false)
	case perNode <= 0:
		return failed(resources, NameSavings, "no savings: "+prices, details, false)
	case total*100 < int64(in.Policy.GetMinSavingsPercent())*cost:
		return failed(resources, NameSavings, fmt.Sprintf("saves %s/month (%.1f%%) over %d nodes, below the policy's minSavingsPercent of %d%% (%s)",
			dollars(total), percent(total, cost), n, in.Policy.GetMinSavingsPercent(), prices), details, false)
	case float64(o.Opportunity.GetClaimedMonthlySavingsCents()) > claimTolerance*float64(total):
		return warning(resources, NameSavings, fmt.Sprintf("the optimizer claimed %s/month, catalogue prices give %s/month over %d nodes (%s)",
			dollars(o.Opportunity.GetClaimedMonthlySavingsCents()), dollars(total), n, prices), details)
	}
	return passed(resources, NameSavings, fmt.Sprintf("saves %s/month (%.1f%%) over %d nodes, moving %s",
		dollars(total), percent(total, cost), n, prices), details)
}

func percent(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) * 100 / float64(whole)
}
