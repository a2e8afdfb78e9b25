package api

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/libs/plansign"
)

func TestWithASigningKeyEveryPlanIsSignedAndStillValid(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	signer := plansign.NewSigner(priv)
	srv, err := New(prometheus.NewRegistry(), WithSigner(signer))
	require.NoError(t, err)

	resp, err := srv.CreatePlan(t.Context(), validRequest())
	require.NoError(t, err)
	plan := resp.GetPlan()
	require.Equal(t, signer.KeyID(), plan.GetSigningKeyId())
	require.NoError(t, plansign.NewVerifier(pub).Verify(plan))
	require.Empty(t, plancheck.Check(plan), "the signature is no part of the plan's ID or rules")

	check, err := srv.ValidatePlan(t.Context(), &rebalancerv1.ValidatePlanRequest{Plan: plan})
	require.NoError(t, err)
	require.True(t, check.GetValid(), "%v", check.GetViolations())

	again, err := srv.CreatePlan(t.Context(), validRequest())
	require.NoError(t, err)
	require.Equal(t, plan.GetSignature(), again.GetPlan().GetSignature(), "same input, same signed plan on every replica")
}

func TestWithoutASigningKeyPlansAreUnsigned(t *testing.T) {
	t.Parallel()
	srv, err := New(prometheus.NewRegistry())
	require.NoError(t, err)
	resp, err := srv.CreatePlan(t.Context(), validRequest())
	require.NoError(t, err)
	require.Empty(t, resp.GetPlan().GetSignature())
	require.Empty(t, resp.GetPlan().GetSigningKeyId())
}
