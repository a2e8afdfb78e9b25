package accept

import (
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plansign"
)

// CheckSignature holds a plan to the Planner's signature, first of all the
// acceptance checks: a plan is the Planner's signed statement, not a
// request to be trusted. With no keys (nil or empty) every plan passes, as
// the Executor was given nothing to check against; the service warns of
// that at start-up. With keys, an unsigned plan, a plan signed by a key
// not among them, and a plan changed after signing (a field, or a field
// and the plan_id recomputed to match) are refused.
//
// The refusal is an *apivalidate.Error, InvalidArgument naming
// plan.signature or plan.signing_key_id: what is wrong is the plan as
// submitted, whatever the cluster's state, so retrying it can never pass
// (FailedPrecondition would say the system must change first). Only a
// plan from the Planner, as it signed it, is accepted.
func CheckSignature(keys *plansign.Verifier, p *rebalancerv1.RebalancePlan) error {
	if keys.Len() == 0 {
		return nil
	}
	err := keys.Verify(p)
	if err == nil {
		return nil
	}
	field := "plan.signature"
	if errors.Is(err, plansign.ErrUnknownKey) || (errors.Is(err, plansign.ErrUnsigned) && p.GetSigningKeyId() == "" && len(p.GetSignature()) > 0) {
		field = "plan.signing_key_id"
	}
	return &apivalidate.Error{Violations: []*errdetails.BadRequest_FieldViolation{{
		Field:       field,
		Description: err.Error() + "; the Executor accepts only plans signed by the Planner, unchanged since",
	}}}
}
