package vpsieclient_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/cloudtest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// TestChaosLeavesNoVMAndNoDuplicate runs 100 create-then-delete cycles,
// ten at a time, while 30% of all calls fail with 500, 502, 503 or 429,
// and half of the 5xx on creates and deletes strike after the work was done
// (the ambiguous failures that make naive retries create a second VM).
// Every VM must be gone at the end, none duplicated.
func TestChaosLeavesNoVMAndNoDuplicate(t *testing.T) {
	t.Parallel()
	const cycles = 100
	srv := startSim(t, vpsiesim.Options{Seed: 7})
	require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointAll, vpsiesim.EndpointFaults{
		ErrorRate: 0.3, Statuses: []int{500, 502, 503, 429}, AfterEffectRate: 0.5,
	}))
	c := newClient(t, srv.URL)

	res := cloudtest.Cycles(t, c, "chaos", cycles, 10)

	srv.ResetFaults()
	left, err := c.ListVMs(t.Context())
	require.NoError(t, err)
	st, cs := srv.Stats(), c.Stats()
	t.Logf("chaos: %d cycles in %s; %d HTTP calls (%d failed on purpose), %d client retries, %d step retries, "+
		"%d create lookups; VMs created %d, left %d, duplicates %d",
		cycles, res.Elapsed.Round(time.Millisecond), cs.Attempts, st.InjectedErrors, cs.Retries, res.StepRetries,
		cs.CreateLookups, st.VMsCreated, len(left), st.DuplicateVMs)
	require.Empty(t, left)
	require.Zero(t, st.DuplicateVMs)
	require.Equal(t, cycles, st.VMsCreated, "one VM per cycle, never two")
	require.Greater(t, st.InjectedErrors, cycles, "the faults did strike")
}
