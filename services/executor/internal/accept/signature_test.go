package accept

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/libs/plansign"
)

func signingKey(t *testing.T) (ed25519.PublicKey, *plansign.Signer) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return pub, plansign.NewSigner(priv)
}

func signedPlan(t *testing.T, s *plansign.Signer) *rebalancerv1.RebalancePlan {
	t.Helper()
	p := &rebalancerv1.RebalancePlan{NodeGroup: "web", Namespace: "shop", TotalNodes: 1, MinHealthyNodes: 3}
	id, err := plancheck.PlanID(p)
	require.NoError(t, err)
	p.PlanId = id
	require.NoError(t, s.Sign(p))
	return p
}

// signatureRefusal asserts err is InvalidArgument on one field and
// returns that field and its description.
func signatureRefusal(t *testing.T, err error) (field, description string) {
	t.Helper()
	require.Error(t, err)
	require.True(t, IsRefused(err), "a refusal, not a failure to check: %v", err)
	st := status.Convert(err)
	require.Equal(t, codes.InvalidArgument, st.Code(), st.Message())
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			require.Len(t, br.GetFieldViolations(), 1)
			return br.GetFieldViolations()[0].GetField(), br.GetFieldViolations()[0].GetDescription()
		}
	}
	t.Fatalf("no BadRequest in %v", st)
	return "", ""
}

func TestCheckSignature(t *testing.T) {
	t.Parallel()
	pub, s := signingKey(t)
	otherPub, other := signingKey(t)
	keys := plansign.NewVerifier(pub)

	require.NoError(t, CheckSignature(keys, signedPlan(t, s)))
	require.NoError(t, CheckSignature(plansign.NewVerifier(otherPub, pub), signedPlan(t, s)), "any trusted key: rotation")

	unsigned := signedPlan(t, s)
	unsigned.Signature, unsigned.SigningKeyId = nil, ""
	field, desc := signatureRefusal(t, CheckSignature(keys, unsigned))
	require.Equal(t, "plan.signature", field)
	require.Contains(t, desc, "not signed")

	altered := signedPlan(t, s)
	altered.MinHealthyNodes = 0
	field, desc = signatureRefusal(t, CheckSignature(keys, altered))
	require.Equal(t, "plan.signature", field)
	require.Contains(t, desc, "altered")

	reidentified := signedPlan(t, s)
	reidentified.MinHealthyNodes = 0
	id, err := plancheck.PlanID(reidentified)
	require.NoError(t, err)
	reidentified.PlanId = id
	field, _ = signatureRefusal(t, CheckSignature(keys, reidentified))
	require.Equal(t, "plan.signature", field, "a recomputed plan_id does not help")

	field, desc = signatureRefusal(t, CheckSignature(keys, signedPlan(t, other)))
	require.Equal(t, "plan.signing_key_id", field)
	require.Contains(t, desc, other.KeyID())
}

func TestWithoutKeysEveryPlanPasses(t *testing.T) {
	t.Parallel()
	_, s := signingKey(t)
	unsigned := &rebalancerv1.RebalancePlan{NodeGroup: "web"}
	for _, keys := range []*plansign.Verifier{nil, plansign.NewVerifier()} {
		require.NoError(t, CheckSignature(keys, unsigned))
		require.NoError(t, CheckSignature(keys, signedPlan(t, s)))
	}
}

// Check holds the plan to its signature first: a forged plan is refused
// before the cluster is read (the Checker here has no cluster at all).
func TestCheckRefusesAForgedPlanBeforeReadingTheCluster(t *testing.T) {
	t.Parallel()
	pub, s := signingKey(t)
	c := Checker{PlanKeys: plansign.NewVerifier(pub)}

	unsigned := signedPlan(t, s)
	unsigned.Signature, unsigned.SigningKeyId = nil, ""
	_, err := c.Check(t.Context(), unsigned, At{})
	field, _ := signatureRefusal(t, err)
	require.Equal(t, "plan.signature", field)

	forged := signedPlan(t, s)
	forged.RequiresApproval = !forged.RequiresApproval
	_, err = c.Check(t.Context(), forged, At{})
	field, _ = signatureRefusal(t, err)
	require.Equal(t, "plan.signature", field)
}
