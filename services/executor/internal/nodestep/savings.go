package nodestep

import (
	"context"
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// checkSavings prices the replacement that actually joined (a fallback
// offering included) before anything of its old node is touched, as CAST
// AI checks achieved savings after the new nodes exist. A replacement
// dearer than the node it replaces, or a plan whose savings so far fall
// below the group's minSavingsPercent, is deleted and the node fails with
// both prices named: the batch stops before any cordon or drain, and the
// execution's failure path (rollback or FAILED) takes over. It only reads
// until it refuses, so a resumed node checks again.
func checkSavings(ctx context.Context, n *Node) error {
	shortfall, err := n.savingsShortfall(ctx)
	if err != nil || shortfall == "" {
		return err
	}
	ne, _ := n.state()
	if err := n.r.DeleteReplacement(ctx, ne); err != nil {
		return fmt.Errorf("delete replacement %s, which %s: %w", ne.GetNewNode(), shortfall, err)
	}
	return failure(rebalancerv1.NodePhase_NODE_PHASE_READY,
		"replacement %s rolled back before any drain of %s: %s", ne.GetNewNode(), n.Old, shortfall)
}

// savingsShortfall says why the replacement must not replace its old
// node, "" when it may.
func (n *Node) savingsShortfall(ctx context.Context) (string, error) {
	p := n.r.x.Plan()
	prices := n.r.Prices()
	ne, _ := n.state()
	from := CurrentOffering(p, n.candidate)
	oldCents, err := prices.Cents(ctx, from)
	if err != nil {
		return "", fmt.Errorf("price %s: %w", from, err)
	}
	newCents, err := prices.Cents(ctx, ne.GetNewOffering())
	if err != nil {
		return "", fmt.Errorf("price %s: %w", ne.GetNewOffering(), err)
	}
	if newCents > oldCents {
		return fmt.Sprintf("it runs %s at %s a month, dearer than %s at %s", ne.GetNewOffering(), dollars(newCents),
			from, dollars(oldCents)), nil
	}
	return n.planShortfall(ctx, prices, oldCents, newCents)
}

// planShortfall compares the savings of every replacement that exists so
// far, this one included, with the least the group accepts: the larger of
// the plan's minSavingsPercent and the live group's (a plan may be
// stricter than its group, never looser; a group that cannot be read
// leaves the plan's).
func (n *Node) planShortfall(ctx context.Context, prices *PriceList, oldCents, newCents int64) (string, error) {
	least := n.r.x.Plan().GetPolicy().GetMinSavingsPercent()
	if live, err := n.r.x.LivePolicy(ctx); err == nil {
		least = max(least, live.GetMinSavingsPercent())
	}
	if least <= 0 {
		return "", nil
	}
	before, after, err := n.r.replacedSoFar(ctx, prices, n.Old)
	if err != nil {
		return "", err
	}
	before, after = before+oldCents, after+newCents
	if (before-after)*100 >= int64(least)*before {
		return "", nil
	}
	return fmt.Sprintf("it runs %s at %s a month against %s at %s, and the plan's replacements so far save %s of %s a month, under the group's %d%%",
		n.newOffering(), dollars(newCents), CurrentOffering(n.r.x.Plan(), n.candidate), dollars(oldCents),
		dollars(before-after), dollars(before), least), nil
}

func (n *Node) newOffering() string {
	ne, _ := n.state()
	return ne.GetNewOffering()
}

// Prices is the execution's price list, made at the first use: the
// savings checks and the result share it, and it shares its look-ups
// with provisioning, so the execution reads the catalogue once.
func (r *Runner) Prices() *PriceList {
	r.pricesOnce.Do(func() {
		g := r.x.GroupSpec()
		r.prices = NewPriceList(r.env.Cloud, g.Datacenter, g.Managed())
		r.prices.lookup = r.offering
	})
	return r.prices
}

// replacedSoFar sums, over the plan's other nodes whose replacement
// exists and stays (Ready to done; failed and rolled-back ones are
// gone), the monthly cents of their old offering and of their
// replacement's.
func (r *Runner) replacedSoFar(ctx context.Context, prices *PriceList, except string) (before, after int64, err error) {
	p := r.x.Plan()
	for _, n := range r.Nodes(0) {
		ne, _ := r.x.Node(n.Old)
		if n.Old == except || !replacementStays(ne.GetPhase()) || ne.GetNewOffering() == "" {
			continue
		}
		oldCents, err := prices.Cents(ctx, CurrentOffering(p, n.candidate))
		if err != nil {
			return 0, 0, err
		}
		newCents, err := prices.Cents(ctx, ne.GetNewOffering())
		if err != nil {
			return 0, 0, err
		}
		before, after = before+oldCents, after+newCents
	}
	return before, after, nil
}

// replacementStays: from Ready to done, a replacement exists and is
// meant to stay; before, it does not serve yet, and a failed or rolled
// back node's is removed.
func replacementStays(phase rebalancerv1.NodePhase) bool {
	return phase >= rebalancerv1.NodePhase_NODE_PHASE_READY && phase <= rebalancerv1.NodePhase_NODE_PHASE_DONE
}

// dollars writes cents as "$12.50".
func dollars(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%d.%02d", sign, cents/100, cents%100)
}
