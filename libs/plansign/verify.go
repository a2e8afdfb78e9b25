package plansign

import (
	"crypto/ed25519"
	"fmt"
	"slices"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Verifier checks plans against the Planner public keys it trusts. Several
// keys let the Planner's key rotate: trust the new key beside the old one,
// switch the Planner to the new key, then drop the old one once no plan
// signed by it is still to be submitted.
type Verifier struct {
	keys map[string]ed25519.PublicKey
}

// NewVerifier trusts keys. A key given twice counts once.
func NewVerifier(keys ...ed25519.PublicKey) *Verifier {
	v := &Verifier{keys: make(map[string]ed25519.PublicKey, len(keys))}
	for _, k := range keys {
		v.keys[KeyID(k)] = k
	}
	return v
}

// Len is the number of distinct keys trusted; zero for a nil Verifier.
func (v *Verifier) Len() int {
	if v == nil {
		return 0
	}
	return len(v.keys)
}

// KeyIDs lists the trusted keys' IDs, sorted.
func (v *Verifier) KeyIDs() []string {
	if v == nil {
		return nil
	}
	ids := make([]string, 0, len(v.keys))
	for id := range v.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Verify returns nil when p is signed by a trusted key and unchanged since;
// otherwise an error wrapping ErrUnsigned, ErrUnknownKey or ErrBadSignature
// that names the key involved. p is left alone.
func (v *Verifier) Verify(p *rebalancerv1.RebalancePlan) error {
	sig, id := p.GetSignature(), p.GetSigningKeyId()
	switch {
	case len(sig) == 0 && id == "":
		return fmt.Errorf("%w: it carries no signature and no signing_key_id", ErrUnsigned)
	case len(sig) == 0:
		return fmt.Errorf("%w: it names key %q but carries no signature", ErrUnsigned, id)
	case id == "":
		return fmt.Errorf("%w: it carries a signature but no signing_key_id", ErrUnsigned)
	}
	key, ok := v.key(id)
	if !ok {
		return fmt.Errorf("%w: %q is not among the trusted Planner keys [%s]", ErrUnknownKey, id, strings.Join(v.KeyIDs(), ", "))
	}
	if len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: the signature is %d bytes, an Ed25519 signature is %d", ErrBadSignature, len(sig), ed25519.SignatureSize)
	}
	msg, err := Message(p)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	if !ed25519.Verify(key, msg, sig) {
		return fmt.Errorf("%w with key %q: the plan was altered after the Planner signed it", ErrBadSignature, id)
	}
	return nil
}

func (v *Verifier) key(id string) (ed25519.PublicKey, bool) {
	if v == nil {
		return nil, false
	}
	k, ok := v.keys[id]
	return k, ok
}
