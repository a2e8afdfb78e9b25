package plancheck

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/vpsie/node-rebalancer/libs/contentid"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// A plan ID names the scheme that derived it, so a checker recomputes an
// ID the way it was made and plans stored by an earlier Planner stay
// valid after the scheme changes:
//
//   - "plan-v3-" and 20 hex digits: PlanID, the scheme of new plans.
//   - "plan-v2-" and 20 hex digits: PlanIDV2, the scheme before v3.
//   - "plan-" and 20 hex digits: PlanIDV1, the scheme before v2.
//
// The earlier schemes are kept for checking stored plans only. A scheme
// never changes once released: a new one takes a new prefix.
const (
	idPrefixV1 = "plan-"
	idPrefixV2 = "plan-v2-"
	idPrefixV3 = "plan-v3-"
)

// idHexDigits keeps 80 bits of the hash, as contentid does, so hostnames
// derived from plan IDs keep their length.
const idHexDigits = 20

// PlanID derives a plan's ID from its content, plan_id, signature and
// signing_key_id excluded: "plan-v3-" and the first 20 hex digits of the
// SHA-256 of the v3 encoding (idencode3.go). The signature covers the ID,
// so the ID cannot cover the signature; a plan re-signed by another key
// keeps its ID. p is left alone.
//
// v3 replaced PlanIDV2 for blue-green plans, whose phases list every node
// again: v3 hashes a batch's list of node messages once however many
// batches hold it, and the plan's encoding carries the list's digest,
// where v2 streamed every copy into the hash.
func PlanID(p *rebalancerv1.RebalancePlan) (string, error) {
	sum, err := encodingSum(encodeV3, p)
	if err != nil {
		return "", err
	}
	return idPrefixV3 + hex.EncodeToString(sum[:])[:idHexDigits], nil
}

// PlanIDV2 is the ID scheme of plans made before v3: "plan-v2-" and a
// hash of the v2 encoding (idencode.go). Only for checking plans that
// carry such an ID; new plans take PlanID.
//
// v2 replaced PlanIDV1 for speed: v1 built the plan's whole deterministic
// protobuf encoding (several MB at thousands of nodes, sized first, every
// string checked for UTF-8) before hashing it; v2 streams the same content
// into the hash as it walks the plan.
func PlanIDV2(p *rebalancerv1.RebalancePlan) (string, error) {
	sum, err := encodingSum(encodeV2, p)
	if err != nil {
		return "", err
	}
	return idPrefixV2 + hex.EncodeToString(sum[:])[:idHexDigits], nil
}

// PlanIDV1 is the ID scheme of plans made before v2: "plan-" and a hash of
// the plan's deterministic protobuf encoding (see contentid.Of). Only for
// checking plans that carry such an ID; new plans take PlanID.
func PlanIDV1(p *rebalancerv1.RebalancePlan) (string, error) {
	if p.GetPlanId() != "" || len(p.GetSignature()) > 0 || p.GetSigningKeyId() != "" {
		p = proto.CloneOf(p)
		p.PlanId = ""
		p.Signature = nil
		p.SigningKeyId = ""
	}
	return contentid.Of("plan", p)
}

// idOfScheme recomputes p's ID with the scheme its plan_id names, so an
// ID is always checked the way it was made: an ID of an earlier scheme is
// its prefix and 20 hex digits exactly, and a v1 ID's digits start right
// after "plan-", so no later ID reads as one. Any other plan_id
// (hand-made, or of a scheme this version does not know) is held to the
// current scheme, which is the ID the violation then offers.
func idOfScheme(p *rebalancerv1.RebalancePlan) (string, error) {
	switch id := p.GetPlanId(); {
	case isIDOf(idPrefixV1, id):
		return PlanIDV1(p)
	case isIDOf(idPrefixV2, id):
		return PlanIDV2(p)
	}
	return PlanID(p)
}

// isIDOf says whether id is prefix and idHexDigits lowercase hex digits.
func isIDOf(prefix, id string) bool {
	digits, ok := strings.CutPrefix(id, prefix)
	if !ok || len(digits) != idHexDigits {
		return false
	}
	for _, c := range digits {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func checkID(r *report, p *rebalancerv1.RebalancePlan) {
	if p.GetPlanId() == "" {
		r.add("plan.plan_id", "is required")
		return
	}
	want, err := idOfScheme(p)
	switch {
	case err != nil:
		r.add("plan", "cannot be encoded: %v", err)
	case p.GetPlanId() != want:
		r.add("plan.plan_id", "is %q but the plan's content gives %q: an edited plan needs the ID of its new content", p.GetPlanId(), want)
	}
}

// An encoder (encodeV2, encodeV3) appends a scheme's domain and p's
// encoding to b, handing full chunks to hand, and returns the last,
// partial chunk.
type encoder func(b []byte, hand func([]byte) []byte, p *rebalancerv1.RebalancePlan) ([]byte, error)

// encodingSum is the SHA-256 of p's encoding by encode, hashed a chunk at
// a time as the encoder fills it.
func encodingSum(encode encoder, p *rebalancerv1.RebalancePlan) ([sha256.Size]byte, error) {
	h := sha256.New()
	write := func(chunk []byte) []byte {
		h.Write(chunk)
		return chunk[:0]
	}
	last, err := encode(newChunk(), write, p)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	h.Write(last)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum, nil
}
