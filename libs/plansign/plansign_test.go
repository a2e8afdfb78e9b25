package plansign_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/libs/plansign"
)

// plan is a small plan with its content ID; validity does not matter here.
func plan(t testing.TB) *rebalancerv1.RebalancePlan {
	t.Helper()
	p := &rebalancerv1.RebalancePlan{
		AnalysisId: "analysis-0123456789abcdef0123",
		NodeGroup:  "web",
		Namespace:  "default",
		Strategy:   rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Batches: []*rebalancerv1.NodeBatch{{
			BatchNumber:       1,
			Phase:             rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE,
			Nodes:             []*rebalancerv1.CandidateNode{{NodeName: "web-1", VmIdentifier: "vm-1"}},
			EstimatedDuration: durationpb.New(600e9),
		}},
		TotalNodes:       1,
		MaxConcurrent:    1,
		MinHealthyNodes:  2,
		GroupSize:        3,
		RequiresApproval: true,
	}
	id, err := plancheck.PlanID(p)
	require.NoError(t, err)
	p.PlanId = id
	return p
}

func key(t testing.TB) (ed25519.PublicKey, *plansign.Signer) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return pub, plansign.NewSigner(priv)
}

func signed(t testing.TB, s *plansign.Signer) *rebalancerv1.RebalancePlan {
	t.Helper()
	p := plan(t)
	require.NoError(t, s.Sign(p))
	return p
}

func TestASignedPlanVerifiesAndKeepsItsID(t *testing.T) {
	t.Parallel()
	pub, s := key(t)
	p := signed(t, s)
	require.Len(t, p.GetSignature(), ed25519.SignatureSize)
	require.Equal(t, plansign.KeyID(pub), p.GetSigningKeyId())
	require.Regexp(t, `^ed25519:[0-9a-f]{16}$`, p.GetSigningKeyId())
	require.NoError(t, plansign.NewVerifier(pub).Verify(p))
	id, err := plancheck.PlanID(p)
	require.NoError(t, err)
	require.Equal(t, p.GetPlanId(), id, "signing leaves plan_id right: the ID does not cover the signature")
	require.Equal(t, plan(t).GetPlanId(), p.GetPlanId())
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	pub, s := key(t)
	otherPub, other := key(t)
	for _, tc := range []struct {
		name   string
		keys   []ed25519.PublicKey
		change func(p *rebalancerv1.RebalancePlan)
		want   error
	}{
		{"an unsigned plan", []ed25519.PublicKey{pub}, func(p *rebalancerv1.RebalancePlan) {
			p.Signature, p.SigningKeyId = nil, ""
		}, plansign.ErrUnsigned},
		{"a plan with a key ID and no signature", []ed25519.PublicKey{pub}, func(p *rebalancerv1.RebalancePlan) {
			p.Signature = nil
		}, plansign.ErrUnsigned},
		{"a plan with a signature and no key ID", []ed25519.PublicKey{pub}, func(p *rebalancerv1.RebalancePlan) {
			p.SigningKeyId = ""
		}, plansign.ErrUnsigned},
		{"an altered field", []ed25519.PublicKey{pub}, func(p *rebalancerv1.RebalancePlan) {
			p.MinHealthyNodes = 0
		}, plansign.ErrBadSignature},
		{"an altered nested field", []ed25519.PublicKey{pub}, func(p *rebalancerv1.RebalancePlan) {
			p.Batches[0].Nodes[0].VmIdentifier = "vm-other"
		}, plansign.ErrBadSignature},
		{"an altered field with its plan ID recomputed", []ed25519.PublicKey{pub}, func(p *rebalancerv1.RebalancePlan) {
			p.RequiresApproval = false
			id, err := plancheck.PlanID(p)
			require.NoError(t, err)
			p.PlanId = id
		}, plansign.ErrBadSignature},
		{"an altered plan ID", []ed25519.PublicKey{pub}, func(p *rebalancerv1.RebalancePlan) {
			p.PlanId = "plan-00000000000000000000"
		}, plansign.ErrBadSignature},
		{"a plan signed by an untrusted key", []ed25519.PublicKey{otherPub}, func(*rebalancerv1.RebalancePlan) {}, plansign.ErrUnknownKey},
		{"a plan claiming another trusted key", []ed25519.PublicKey{pub, otherPub}, func(p *rebalancerv1.RebalancePlan) {
			p.SigningKeyId = other.KeyID()
		}, plansign.ErrBadSignature},
		{"a truncated signature", []ed25519.PublicKey{pub}, func(p *rebalancerv1.RebalancePlan) {
			p.Signature = p.Signature[:10]
		}, plansign.ErrBadSignature},
		{"a flipped signature bit", []ed25519.PublicKey{pub}, func(p *rebalancerv1.RebalancePlan) {
			p.Signature[0] ^= 1
		}, plansign.ErrBadSignature},
		{"any plan when no key is trusted", nil, func(*rebalancerv1.RebalancePlan) {}, plansign.ErrUnknownKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := signed(t, s)
			tc.change(p)
			err := plansign.NewVerifier(tc.keys...).Verify(p)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	t.Parallel()
	pub, s := key(t)
	otherPub, _ := key(t)
	p := signed(t, s)
	err := plansign.NewVerifier(otherPub).Verify(p)
	require.ErrorContains(t, err, s.KeyID())
	require.ErrorContains(t, err, plansign.KeyID(otherPub), "names the keys it trusts")
	p.Canary = true
	require.ErrorContains(t, plansign.NewVerifier(pub).Verify(p), "altered")
}

func TestRotationTrustsEveryListedKey(t *testing.T) {
	t.Parallel()
	oldPub, oldKey := key(t)
	newPub, newKey := key(t)
	during := plansign.NewVerifier(oldPub, newPub, oldPub)
	require.Equal(t, 2, during.Len(), "a key listed twice counts once")
	require.NoError(t, during.Verify(signed(t, oldKey)))
	require.NoError(t, during.Verify(signed(t, newKey)))

	after := plansign.NewVerifier(newPub)
	require.NoError(t, after.Verify(signed(t, newKey)))
	require.ErrorIs(t, after.Verify(signed(t, oldKey)), plansign.ErrUnknownKey)
}

func TestVerifyLeavesThePlanAlone(t *testing.T) {
	t.Parallel()
	pub, s := key(t)
	p := signed(t, s)
	before := proto.CloneOf(p)
	require.NoError(t, plansign.NewVerifier(pub).Verify(p))
	require.True(t, proto.Equal(before, p))
}

func TestResigningReplacesTheSignature(t *testing.T) {
	t.Parallel()
	_, first := key(t)
	secondPub, second := key(t)
	p := signed(t, first)
	require.NoError(t, second.Sign(p))
	require.NoError(t, plansign.NewVerifier(secondPub).Verify(p))
}

func TestKeyFilesRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "planner.key"), filepath.Join(dir, "planner.pub")
	require.NoError(t, plansign.WriteKeyPair(priv, pub))
	s, err := plansign.LoadSigner(priv)
	require.NoError(t, err)
	v, err := plansign.LoadVerifier(pub)
	require.NoError(t, err)
	require.Equal(t, []string{s.KeyID()}, v.KeyIDs())
	require.NoError(t, v.Verify(signed(t, s)))
}

// TestDirectoryOfKeysLikeAMountedSecret reads a directory laid out as the
// kubelet mounts a Secret: visible links into a hidden ..data directory.
func TestDirectoryOfKeysLikeAMountedSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "..2026_12_06")
	require.NoError(t, os.Mkdir(data, 0o755))
	var signers []*plansign.Signer
	for _, name := range []string{"old.pem", "new.pem"} {
		priv := filepath.Join(t.TempDir(), "k")
		require.NoError(t, plansign.WriteKeyPair(priv, filepath.Join(data, name)))
		s, err := plansign.LoadSigner(priv)
		require.NoError(t, err)
		signers = append(signers, s)
		require.NoError(t, os.Symlink(filepath.Join("..data", name), filepath.Join(dir, name)))
	}
	require.NoError(t, os.Symlink(filepath.Base(data), filepath.Join(dir, "..data")))

	v, err := plansign.LoadVerifier(dir)
	require.NoError(t, err)
	require.Equal(t, 2, v.Len())
	for _, s := range signers {
		require.NoError(t, v.Verify(signed(t, s)))
	}
}

func TestKeyFilesRefuse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	privPath, pubPath := filepath.Join(dir, "k"), filepath.Join(dir, "k.pub")
	require.NoError(t, plansign.WriteKeyPair(privPath, pubPath))
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	pubPEM, err := os.ReadFile(pubPath)
	require.NoError(t, err)
	privPEM, err := os.ReadFile(privPath)
	require.NoError(t, err)

	_, err = plansign.LoadSigner(pubPath)
	require.ErrorContains(t, err, `"PUBLIC KEY"`, "a public key is no signing key")
	_, err = plansign.LoadSigner(write("raw", "0123456789abcdef0123456789abcdef"))
	require.ErrorContains(t, err, "no PEM block")
	_, err = plansign.LoadSigner(write("two", string(privPEM)+string(privPEM)))
	require.ErrorContains(t, err, "more than one PEM block")
	_, err = plansign.LoadSigner(filepath.Join(dir, "missing"))
	require.Error(t, err)

	_, err = plansign.LoadVerifier(privPath)
	require.ErrorContains(t, err, `"PRIVATE KEY"`, "a private key is no public key")
	_, err = plansign.LoadVerifier(write("empty", ""))
	require.ErrorContains(t, err, "no PEM public key")
	_, err = plansign.LoadVerifier(write("trailing", string(pubPEM)+"junk"))
	require.ErrorContains(t, err, "text after the last PEM block")
	_, err = plansign.LoadVerifier(t.TempDir())
	require.ErrorContains(t, err, "holds no key file")

	v, err := plansign.LoadVerifier(write("both.pem", string(pubPEM)+string(pubPEM)))
	require.NoError(t, err, "a file may hold several keys")
	require.Equal(t, 1, v.Len())
	v, err = plansign.LoadVerifier()
	require.NoError(t, err)
	require.Zero(t, v.Len())
}

// TestOpenSSLKeysWork checks the documented openssl commands make keys the
// Planner and Executor read.
func TestOpenSSLKeysWork(t *testing.T) {
	t.Parallel()
	// openssl ships with the machines this project runs on; a missing one
	// fails the test rather than skipping what the README tells operators.
	openssl, err := exec.LookPath("openssl")
	require.NoError(t, err, "openssl, whose commands the README documents")
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "planner.key"), filepath.Join(dir, "planner.pub")
	out, err := exec.CommandContext(t.Context(), openssl, "genpkey", "-algorithm", "ed25519", "-out", priv).CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.CommandContext(t.Context(), openssl, "pkey", "-in", priv, "-pubout", "-out", pub).CombinedOutput()
	require.NoError(t, err, "%s", out)
	s, err := plansign.LoadSigner(priv)
	require.NoError(t, err)
	v, err := plansign.LoadVerifier(pub)
	require.NoError(t, err)
	require.NoError(t, v.Verify(signed(t, s)))
}

// TestASignedPlanSurvivesJSON: grpcurl and rebalancectl hand plans on as
// protojson; what verifies before verifies after.
func TestASignedPlanSurvivesJSON(t *testing.T) {
	t.Parallel()
	pub, s := key(t)
	p := plan(t)
	p.Opportunity = &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4",
		Confidence: 0.1, ClaimedMonthlySavingsCents: 14400}
	p.FailedChecks = []*rebalancerv1.SafetyCheck{{Name: "pdb", Details: map[string]string{"b": "2", "a": "1", "c": "3"}}}
	require.NoError(t, s.Sign(p))
	j, err := protojson.Marshal(p)
	require.NoError(t, err)
	var back rebalancerv1.RebalancePlan
	require.NoError(t, protojson.Unmarshal(j, &back))
	require.NoError(t, plansign.NewVerifier(pub).Verify(&back))
}
