// Package plansign signs plans for the Planner and verifies them for the
// Executor, so a plan is the Planner's statement and not a request anyone
// can write.
//
// What is signed: the domain string Domain followed by the plan's
// deterministic protobuf encoding with signature left empty. plan_id and
// signing_key_id are covered, so neither an edited field, nor an edited
// field with a recomputed plan_id, nor a swapped key ID verifies.
//
// Keys: Ed25519 in PEM, the format OpenSSL writes: the Planner's private
// key as PKCS#8 ("PRIVATE KEY", `openssl genpkey -algorithm ed25519`), the
// public keys the Executor trusts as PKIX ("PUBLIC KEY", `openssl pkey
// -pubout`). A key is named by KeyID, so the Executor can hold several
// public keys while the Planner's key rotates.
package plansign

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Domain prefixes the signed bytes, so a plan signature can never be
// taken for a signature over anything else the key might sign.
const Domain = "rebalancer.v1.RebalancePlan/ed25519\x00"

// keyIDPrefix starts every key ID; the hash after it is of the raw key.
const keyIDPrefix = "ed25519:"

// keyIDDigits is how many hex digits of the key's SHA-256 name it.
const keyIDDigits = 16

// The ways a plan fails verification; Verify wraps them with particulars.
var (
	// ErrUnsigned: the plan carries no signature or no key ID.
	ErrUnsigned = errors.New("plan is not signed")
	// ErrUnknownKey: the plan names a key the verifier does not hold.
	ErrUnknownKey = errors.New("plan is signed by an unknown key")
	// ErrBadSignature: the signature does not match the plan's content
	// (the plan was altered after signing, or signed by another key).
	ErrBadSignature = errors.New("plan signature does not verify")
)

// KeyID names a public key: "ed25519:" and the first 16 lowercase hex
// digits of the SHA-256 of its 32 raw bytes.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return keyIDPrefix + hex.EncodeToString(sum[:])[:keyIDDigits]
}

// Message returns the bytes a plan's signature covers: Domain and the
// plan's deterministic encoding with signature empty. p is left alone.
func Message(p *rebalancerv1.RebalancePlan) ([]byte, error) {
	if len(p.GetSignature()) > 0 {
		p = proto.CloneOf(p)
		p.Signature = nil
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return append([]byte(Domain), b...), nil
}

// Signer signs plans with one private key.
type Signer struct {
	key ed25519.PrivateKey
	id  string
}

// NewSigner signs with key.
func NewSigner(key ed25519.PrivateKey) *Signer {
	return &Signer{key: key, id: KeyID(key.Public().(ed25519.PublicKey))}
}

// KeyID names the signer's public key.
func (s *Signer) KeyID() string { return s.id }

// Sign sets p's signing_key_id and signature. Call it last: any change to
// p afterwards, plan_id included, breaks the signature.
func (s *Signer) Sign(p *rebalancerv1.RebalancePlan) error {
	p.SigningKeyId = s.id
	p.Signature = nil
	msg, err := Message(p)
	if err != nil {
		return err
	}
	p.Signature = ed25519.Sign(s.key, msg)
	return nil
}
