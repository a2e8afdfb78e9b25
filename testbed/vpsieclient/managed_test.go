package vpsieclient_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// TestAddKubeNodeIsNeverResentAfterAnAmbiguousFailure: a 5xx may strike
// after VPSie started the node, so the client hands it back at once
// rather than add a second node; a 429 strikes before and is resent.
func TestAddKubeNodeIsNeverResentAfterAnAmbiguousFailure(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		faults vpsiesim.EndpointFaults
		calls  int  // adds the simulator saw
		fails  bool // the client reports ErrTransient
	}{
		"a 502 after the work":  {vpsiesim.EndpointFaults{ErrorRate: 1, Statuses: []int{502}, AfterEffectRate: 1}, 1, true},
		"a 503 before the work": {vpsiesim.EndpointFaults{ErrorRate: 1, Statuses: []int{503}}, 1, true},
		"two 429s":              {vpsiesim.EndpointFaults{Burst429: 2}, 3, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, vpsiesim.Options{})
			id := srv.AddKubeCluster("prod", catalog.NYC1)
			web, err := srv.AddKubeGroup(id, "web", "compute-4")
			require.NoError(t, err)
			require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointK8sAdd, tc.faults))

			err = newClient(t, srv.URL).AddKubeNode(t.Context(), id, web.ID)
			require.Equal(t, tc.fails, cloud.IsTransient(err), "got %v", err)
			require.Equal(t, tc.calls, srv.Stats().Calls[vpsiesim.EndpointK8sAdd])
		})
	}
}

func TestDeleteKubeNodeRetriesAndTreatsGoneAsDone(t *testing.T) {
	t.Parallel()
	srv := startSim(t, vpsiesim.Options{Seed: 3})
	id := srv.AddKubeCluster("prod", catalog.NYC1)
	web, err := srv.AddKubeGroup(id, "web", "compute-4")
	require.NoError(t, err)
	c := newClient(t, srv.URL)
	require.NoError(t, c.AddKubeNode(t.Context(), id, web.ID))
	cl, err := c.GetKubeCluster(t.Context(), id)
	require.NoError(t, err)
	require.Len(t, cl.Nodes, 1)

	// Every delete fails after its effect: the retry meets a 404, which means done.
	require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointK8sDelete, vpsiesim.EndpointFaults{
		ErrorRate: 1, Statuses: []int{500}, AfterEffectRate: 1,
	}))
	err = c.DeleteKubeNode(t.Context(), id, cl.Nodes[0].ID)
	require.True(t, cloud.IsTransient(err), "every attempt failed: %v", err)
	srv.ResetFaults()
	require.NoError(t, c.DeleteKubeNode(t.Context(), id, cl.Nodes[0].ID), "already gone is done")
	require.Equal(t, 1, srv.Stats().VMsDeleted)
}
