package e2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/libs/plansign"
)

// Given the Planner's public key, the Executor as it ships refuses a plan
// that is unsigned, altered after signing (its ID recomputed, as a careful
// forger would) or signed by another key, each with InvalidArgument naming
// the field and touching nothing, and runs the plan the key signed.
func TestOnlyPlansSignedByATrustedPlannerKeyRun(t *testing.T) {
	t.Parallel()
	pub, trusted, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, stranger, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	e := newEnvTrusting(t, plansign.NewVerifier(pub))
	old := e.createGroup(current, 2)
	plan := e.rollingOf(old)
	signedBy := func(key ed25519.PrivateKey, p *rebalancerv1.RebalancePlan) *rebalancerv1.RebalancePlan {
		c := proto.CloneOf(p)
		require.NoError(t, plansign.NewSigner(key).Sign(c))
		return c
	}
	altered := signedBy(trusted, plan)
	altered.Opportunity.Reason += ", edited after signing"
	id, err := plancheck.PlanID(altered)
	require.NoError(t, err)
	altered.PlanId = id

	vms := e.sim.Stats().VMsCreated
	for name, c := range map[string]struct {
		plan  *rebalancerv1.RebalancePlan
		field string
	}{
		"unsigned":                 {plan: plan, field: "plan.signature"},
		"altered after signing":    {plan: altered, field: "plan.signature"},
		"signed by an unknown key": {plan: signedBy(stranger, plan), field: "plan.signing_key_id"},
	} {
		err := e.execute(c.plan)
		require.Equal(t, codes.InvalidArgument, status.Code(err), "%s: %v", name, err)
		require.Contains(t, badRequestFields(err), c.field, name)
		e.requireUntouched(c.plan, vms)
	}

	final := e.run(signedBy(trusted, plan), &recorder{})
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
}

// badRequestFields lists the fields of an InvalidArgument's BadRequest.
func badRequestFields(err error) []string {
	var out []string
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, v.GetField())
			}
		}
	}
	return out
}
