package nodestep

import rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"

// CurrentOffering is what old node c runs, as the plan says: the node's
// own offering, else the opportunity's.
func CurrentOffering(p *rebalancerv1.RebalancePlan, c *rebalancerv1.CandidateNode) string {
	if o := c.GetCurrentOffering(); o != "" {
		return o
	}
	return p.GetOpportunity().GetCurrentOffering()
}

// TargetOffering is what c's replacement is planned to run: the
// opportunity's target, which provisioning asks for first, else the
// node's own.
func TargetOffering(p *rebalancerv1.RebalancePlan, c *rebalancerv1.CandidateNode) string {
	if o := p.GetOpportunity().GetTargetOffering(); o != "" {
		return o
	}
	return c.GetTargetOffering()
}
