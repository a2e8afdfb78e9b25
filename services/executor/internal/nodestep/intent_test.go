package nodestep

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// firstAttempts are the FirstAttempt flags of the creates sent, in order.
func firstAttempts(p *cloudfake.Provider) []bool {
	var out []bool
	for _, c := range p.Calls(cloudfake.OpCreateVM) {
		out = append(out, c.Arg.(cloud.CreateSpec).FirstAttempt)
	}
	return out
}

// provisioning puts old-0 in PROVISIONING under its first hostname, as a
// run killed after writing its intent leaves it, and returns the hostname.
func (u *unit) provisioning(t *testing.T) string {
	t.Helper()
	hostname := naming.Hostname(u.x.Plan().GetPlanId(), "old-0", 1)
	require.NoError(t, u.x.write(func(r *store.Record) {
		ne := stateOf(r, "old-0")
		ne.Phase, ne.NewHostname = rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, hostname
		r.Book.NodeBook("old-0").ProvisionAttempts = 1
	}))
	return hostname
}

// resumed is the unit's execution as a restarted Executor sees it: the
// same record, a new Runner.
func (u *unit) resumed() *Node {
	u.r = NewRunner(u.r.env, u.x)
	u.n = u.r.Node(u.n.candidate, 1)
	return u.n
}

// The Runner that wrote the intent and sent nothing since knows no VM can
// have the hostname: its create skips the look-up.
func TestAFirstCreateAfterItsIntentSkipsTheLookUp(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	require.NoError(t, provision(t.Context(), u.n))
	require.Equal(t, []bool{true}, firstAttempts(u.cloud))
	require.Len(t, u.cloud.VMs(), 1)
}

// A create retried after an error may have been sent: it looks first.
func TestARetriedCreateLooksFirst(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	u.cloud.NextError(cloudfake.OpCreateVM, cloud.NewError(cloud.ErrTransient, "CreateVM", "502"))
	require.NoError(t, provision(t.Context(), u.n))
	require.Equal(t, []bool{true, false}, firstAttempts(u.cloud))
}

// Killed between the intent and the create: the restarted Runner knows of
// no intent of its own, looks, finds nothing, and creates one VM.
func TestKilledBetweenIntentAndCreateCreatesOnce(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	u.provisioning(t)
	require.NoError(t, provision(t.Context(), u.resumed()))
	require.Equal(t, []bool{false}, firstAttempts(u.cloud))
	require.Len(t, u.cloud.VMs(), 1)
}

// Killed between the create and its record: the restarted Runner looks
// and finds the VM (the fake orders a duplicate for a create that skips
// the look-up, as VPSie would).
func TestKilledBetweenCreateAndRecordFindsTheVM(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	hostname := u.provisioning(t)
	made, err := u.cloud.CreateVM(t.Context(), cloud.CreateSpec{Hostname: hostname, OfferingID: "compute-4", Datacenter: catalog.NYC1})
	require.NoError(t, err)
	require.NoError(t, provision(t.Context(), u.resumed()))
	ne, _ := u.n.state()
	require.Equal(t, made.ID, ne.GetNewVmIdentifier())
	require.Len(t, u.cloud.VMs(), 1, "no duplicate")
}

// A replacement whose create was never sent has no VM to look for: a
// node still PENDING (its hostname is planned at acceptance), or one
// whose intent this Runner wrote with nothing sent. One that may have
// been sent (a resumed PROVISIONING node) is looked up.
func TestDeleteReplacementLooksUpOnlyWhatMayHaveBeenCreated(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	hostname := naming.Hostname(u.x.Plan().GetPlanId(), "old-0", 1)
	require.NoError(t, u.x.write(func(r *store.Record) { stateOf(r, "old-0").NewHostname = hostname }))
	ne, _ := u.n.state()
	require.NoError(t, u.r.DeleteReplacement(t.Context(), ne))
	require.Empty(t, u.cloud.Calls(cloudfake.OpFindVM), "PENDING: nothing sent")

	require.NoError(t, u.n.beginProvisioning(t.Context()))
	ne, _ = u.n.state()
	require.NoError(t, u.r.DeleteReplacement(t.Context(), ne))
	require.Empty(t, u.cloud.Calls(cloudfake.OpFindVM), "this Runner's intent, nothing sent")

	n := u.resumed()
	ne, _ = n.state()
	require.NoError(t, u.r.DeleteReplacement(t.Context(), ne))
	require.Len(t, u.cloud.Calls(cloudfake.OpFindVM), 1, "resumed: a create may have been sent")
}

// Provisioning and the savings check share one listing of the
// datacenter's offerings: the old offering's price is in it too.
func TestProvisionAndSavingsShareOneOfferingList(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	require.NoError(t, provision(t.Context(), u.n))
	require.NoError(t, u.x.write(func(r *store.Record) {
		stateOf(r, "old-0").Phase = rebalancerv1.NodePhase_NODE_PHASE_READY
	}))
	shortfall, err := u.n.savingsShortfall(t.Context())
	require.NoError(t, err)
	require.Empty(t, shortfall)
	require.Len(t, u.cloud.Calls(cloudfake.OpListOfferings), 1)
	require.Empty(t, u.cloud.Calls(cloudfake.OpGetOffering))
}
