package accept

import (
	"context"
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Approver refuses an approval by the identity that requested the
// execution when the plan's live NodeGroup asks for a second person
// (spec.rebalancing.requireDistinctApprover). Both names are
// authenticated identities, never names a caller typed: a requester
// cannot pass for another. Errors: *Refusal, or the error of a cluster
// that could not be read.
func (c Checker) Approver(ctx context.Context, p *rebalancerv1.RebalancePlan, requestedBy, approvedBy string) error {
	group, err := c.group(ctx, p)
	if err != nil {
		return err
	}
	if !group.Spec.Rebalancing.RequireDistinctApprover || requestedBy != approvedBy {
		return nil
	}
	return &Refusal{Rule: RuleDistinctApprover, Reason: fmt.Sprintf(
		"NodeGroup %s/%s requires a second person to approve (requireDistinctApprover), and %s requested this execution",
		group.Namespace, group.Name, approvedBy),
		Details: []Detail{{Kind: DetailField, Subject: "spec.rebalancing.requireDistinctApprover",
			Description: fmt.Sprintf("true: the requester %s may not approve", approvedBy)}}}
}
