package plancheck

import (
	"google.golang.org/protobuf/proto"

	"github.com/vpsie/node-rebalancer/libs/contentid"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// PlanID derives a plan's ID from its content, plan_id, signature and
// signing_key_id left empty: "plan-" and a hash (see contentid.Of). The
// signature covers the ID, so the ID cannot cover the signature; a plan
// re-signed by another key keeps its ID.
func PlanID(p *rebalancerv1.RebalancePlan) (string, error) {
	if p.GetPlanId() != "" || len(p.GetSignature()) > 0 || p.GetSigningKeyId() != "" {
		p = proto.CloneOf(p)
		p.PlanId = ""
		p.Signature = nil
		p.SigningKeyId = ""
	}
	return contentid.Of("plan", p)
}

func checkID(r *report, p *rebalancerv1.RebalancePlan) {
	if p.GetPlanId() == "" {
		r.add("plan.plan_id", "is required")
		return
	}
	want, err := PlanID(p)
	switch {
	case err != nil:
		r.add("plan", "cannot be encoded: %v", err)
	case p.GetPlanId() != want:
		r.add("plan.plan_id", "is %q but the plan's content gives %q: an edited plan needs the ID of its new content", p.GetPlanId(), want)
	}
}
