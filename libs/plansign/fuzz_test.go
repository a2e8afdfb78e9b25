package plansign_test

import (
	"bytes"
	"crypto/ed25519"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plansign"
)

// fuzzSeed is a fixed key, so the corpus' signatures stay valid.
var fuzzSeed = bytes.Repeat([]byte{7}, ed25519.SeedSize)

// FuzzVerify decodes arbitrary bytes as a plan and verifies it: Verify
// never panics, accepts only what the trusted key signed (re-signing the
// decoded plan gives the same signature: Ed25519 is deterministic), and
// rejects any one-byte change of an accepted encoding that changes the plan.
func FuzzVerify(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(fuzzSeed)
	s := plansign.NewSigner(priv)
	v := plansign.NewVerifier(priv.Public().(ed25519.PublicKey))
	p := plan(f)
	unsigned, err := proto.Marshal(p)
	require.NoError(f, err)
	f.Add(unsigned, uint(0))
	require.NoError(f, s.Sign(p))
	good, err := proto.MarshalOptions{Deterministic: true}.Marshal(p)
	require.NoError(f, err)
	f.Add(good, uint(0))
	f.Add(good, uint(len(good)/2))
	f.Add([]byte{}, uint(0))

	f.Fuzz(func(t *testing.T, b []byte, flip uint) {
		var got rebalancerv1.RebalancePlan
		if proto.Unmarshal(b, &got) != nil {
			return
		}
		if v.Verify(&got) != nil {
			return
		}
		// Accepted: the trusted key signed exactly this content.
		again := proto.CloneOf(&got)
		require.NoError(t, s.Sign(again))
		require.Equal(t, got.GetSignature(), again.GetSignature(), "an accepted plan is what the key signs")
		require.Equal(t, s.KeyID(), got.GetSigningKeyId())

		if len(b) == 0 {
			return
		}
		changed := bytes.Clone(b)
		changed[flip%uint(len(changed))] ^= 0x01
		var alt rebalancerv1.RebalancePlan
		if proto.Unmarshal(changed, &alt) != nil || proto.Equal(&alt, &got) {
			return
		}
		require.Error(t, v.Verify(&alt), "a changed plan must not verify")
	})
}
