package plancheck

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// idHexDigits keeps 80 bits of the hash: plenty against collisions between
// plans, and short enough for the hostnames the Executor derives from it.
const idHexDigits = 20

// PlanID derives a plan's ID from its content: "plan-" and the first hex
// digits of the SHA-256 of its deterministic encoding, plan_id left empty.
// Deterministic encoding is stable within one protobuf runtime, which every
// replica of a release shares.
func PlanID(p *rebalancerv1.RebalancePlan) (string, error) {
	if p.GetPlanId() != "" {
		p = proto.CloneOf(p)
		p.PlanId = ""
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("encode plan: %w", err)
	}
	sum := sha256.Sum256(b)
	return "plan-" + hex.EncodeToString(sum[:])[:idHexDigits], nil
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
