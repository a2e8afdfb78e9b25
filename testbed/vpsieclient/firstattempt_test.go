package vpsieclient_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudtest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// A first create (CreateSpec.FirstAttempt: no create was ever sent under
// the hostname) orders without looking, then finds its VM, the newest,
// on the list's last page: one create and two pages (the first says how
// many there are), not two look-ups of every page.
func TestAFirstCreateOrdersOnceAndReadsTwoPages(t *testing.T) {
	t.Parallel()
	srv := startSim(t, vpsiesim.Options{PageSize: 5})
	c := standing(t, srv, 12) // three pages
	before := srv.Stats()
	vm, err := c.CreateVM(t.Context(), firstSpec())
	require.NoError(t, err)
	require.NotEmpty(t, vm.ID)
	after := srv.Stats()
	require.Equal(t, 1, after.Calls[vpsiesim.EndpointVMCreate]-before.Calls[vpsiesim.EndpointVMCreate])
	require.Equal(t, 2, after.Calls[vpsiesim.EndpointVMList]-before.Calls[vpsiesim.EndpointVMList])
	require.Zero(t, after.Calls[vpsiesim.EndpointVMPending]-before.Calls[vpsiesim.EndpointVMPending], "no look-up before the create")
}

// The one create of a first attempt fails after its effect, during the
// listing lag: the retry looks first, finds the VM pending, and waits for
// it instead of ordering a second.
func TestAFirstCreateWhoseAnswerIsLostOrdersNoSecond(t *testing.T) {
	t.Parallel()
	srv := startSim(t, vpsiesim.Options{PageSize: 5})
	c := standing(t, srv, 12)
	require.NoError(t, srv.SetListingLag(200*time.Millisecond))
	// Every create fails after its effect: a second one would duplicate.
	require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointVMCreate,
		vpsiesim.EndpointFaults{ErrorRate: 1, Statuses: []int{502}, AfterEffectRate: 1}))
	vm, err := c.CreateVM(t.Context(), firstSpec())
	require.NoError(t, err)
	require.NotEmpty(t, vm.ID)
	st := srv.Stats()
	require.Zero(t, st.DuplicateVMs)
	require.Equal(t, 13, st.VMsCreated, "one VM")
	require.Equal(t, 13, st.Calls[vpsiesim.EndpointVMCreate], "one create sent")
}

// standing makes n VMs that stay and returns the client that made them.
func standing(t *testing.T, srv *vpsiesim.Server, n int) *vpsie.Client {
	t.Helper()
	c := newClient(t, srv.URL)
	for i := range n {
		spec := cloud.CreateSpec{Hostname: fmt.Sprintf("standing-%02d", i), OfferingID: catalog.ID("offering", "standard-2"), Datacenter: catalog.NYC1}
		_, err := c.CreateVM(t.Context(), spec)
		require.NoError(t, err)
	}
	return c
}

func firstSpec() cloud.CreateSpec {
	return cloud.CreateSpec{Hostname: cloudtest.Hostname("first"), OfferingID: catalog.ID("offering", "compute-2"),
		Datacenter: catalog.NYC1, FirstAttempt: true}
}
