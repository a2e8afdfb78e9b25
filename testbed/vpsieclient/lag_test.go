package vpsieclient_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudtest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// TestFindVMReturnsAPendingVMWithoutIdentifier: during the listing lag a
// VM exists only as pending; FindVM says so, and a CreateVM of the same
// hostname waits for it rather than order a second one.
func TestFindVMReturnsAPendingVMWithoutIdentifier(t *testing.T) {
	t.Parallel()
	srv := startSim(t, vpsiesim.Options{ListingLag: 300 * time.Millisecond})
	c := newClient(t, srv.URL)
	spec := cloud.CreateSpec{Hostname: cloudtest.Hostname("lag"), OfferingID: catalog.ID("offering", "compute-2"), Datacenter: catalog.NYC1}
	require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointVMCreate, vpsiesim.EndpointFaults{ErrorRate: 1, Statuses: []int{500}, AfterEffectRate: 1}))
	_, err := newClient(t, srv.URL, noRetries).CreateVM(t.Context(), spec)
	require.True(t, cloud.IsTransient(err), "the one create failed after its effect: %v", err)
	srv.ResetFaults()

	found, err := c.FindVM(t.Context(), spec.Hostname)
	require.NoError(t, err)
	require.Empty(t, found.ID, "no identifier while pending")
	require.Equal(t, cloud.VMBuilding, found.Status)
	require.Equal(t, spec.Hostname, found.Hostname)
	require.Equal(t, catalog.ID("datacenter", catalog.NYC1), found.DatacenterID)

	vm, err := c.CreateVM(t.Context(), spec)
	require.NoError(t, err)
	require.NotEmpty(t, vm.ID, "CreateVM waited for the identifier")
	require.Equal(t, 1, srv.Stats().Calls[vpsiesim.EndpointVMCreate], "no second order while pending")
	require.Zero(t, srv.Stats().DuplicateVMs)
}

// TestListingLagAndAmbiguousFailuresMakeNoDuplicate creates and deletes
// VMs while new VMs are listed only after a lag, the list spans several
// pages, and 30% of calls fail, half of the 5xx after the work was done.
func TestListingLagAndAmbiguousFailuresMakeNoDuplicate(t *testing.T) {
	t.Parallel()
	const (
		cycles, workers, standing = 40, 8, 12
		pageSize                  = 5
	)
	srv := startSim(t, vpsiesim.Options{Seed: 11, PageSize: pageSize})
	c := newClient(t, srv.URL)
	for i := range standing { // VMs that stay, so the list spans pages
		spec := cloud.CreateSpec{Hostname: fmt.Sprintf("standing-%02d", i), OfferingID: catalog.ID("offering", "standard-2"), Datacenter: catalog.NYC1}
		_, err := c.CreateVM(t.Context(), spec)
		require.NoError(t, err)
	}
	require.NoError(t, srv.SetListingLag(150*time.Millisecond))
	require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointAll, vpsiesim.EndpointFaults{
		ErrorRate: 0.3, Statuses: []int{500, 502, 503, 429}, AfterEffectRate: 0.5,
	}))

	res := cloudtest.Cycles(t, c, "lag", cycles, workers)

	srv.ResetFaults()
	left, err := c.ListVMs(t.Context())
	require.NoError(t, err)
	st := srv.Stats()
	orphans := len(left) - standing
	t.Logf("lag %s, page size %d: VMs %d (%d standing + %d cycles), creates sent %d, VMs created %d, duplicates %d, orphans %d; "+
		"%d faults injected, %d step retries, %s",
		150*time.Millisecond, pageSize, standing+cycles, standing, cycles, st.Calls[vpsiesim.EndpointVMCreate],
		st.VMsCreated, st.DuplicateVMs, orphans, st.InjectedErrors, res.StepRetries, res.Elapsed.Round(time.Millisecond))
	require.Zero(t, st.DuplicateVMs)
	require.Zero(t, orphans)
	require.Equal(t, standing+cycles, st.VMsCreated, "one VM per hostname, never two")
	require.Greater(t, st.InjectedErrors, cycles, "the faults did strike")
}
