package cloudtest

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// managedCluster seeds a cluster "prod" in NYC1 with a group "web" of
// compute-4 and returns the subject, the cluster's identifier and the group.
func managedCluster(t *testing.T, newSubject func(*testing.T) Subject) (Subject, string, cloud.KubeGroup) {
	t.Helper()
	s := newSubject(t)
	require.NotNil(t, s.Kube, "the subject seeds clusters")
	id := s.Kube.AddKubeCluster("prod", catalog.NYC1)
	g, err := s.Kube.AddKubeGroup(id, "web", "compute-4")
	require.NoError(t, err)
	return s, id, g
}

func runManaged(t *testing.T, newSubject func(*testing.T) Subject) {
	t.Run("offers are the catalogue's sizes under numeric ids, cheapest first", func(t *testing.T) {
		t.Parallel()
		p := newSubject(t).Provider
		offers, err := p.ListKubeOffers(t.Context(), catalog.NYC1)
		require.NoError(t, err)
		cat := catalog.Default()
		dc, _ := cat.Datacenter(catalog.NYC1)
		require.Len(t, offers, len(cat.In(dc.ID)))
		for i, o := range offers {
			_, err := strconv.Atoi(o.ID)
			require.NoError(t, err, "%s has a numeric id", o.Name)
			require.Equal(t, cat.KubeOfferID(o.Name), o.ID)
			e, _ := cat.Offering(o.Name)
			require.InDelta(t, e.MonthlyPrice, o.MonthlyPrice, 0.005)
			require.Equal(t, e.CPU, o.CPU)
			require.Equal(t, e.RAMMB, o.RAMMB)
			if i > 0 {
				require.LessOrEqual(t, cloud.CompareOfferings(offers[i-1], o), 0)
			}
		}
		_, err = p.ListKubeOffers(t.Context(), "dc-nowhere")
		require.True(t, cloud.IsNotFound(err), "got %v", err)
	})
	t.Run("a cluster lists its groups and, of its nodes, the workers", func(t *testing.T) {
		t.Parallel()
		s, id, web := managedCluster(t, newSubject)
		c, err := s.Provider.GetKubeCluster(t.Context(), id)
		require.NoError(t, err)
		require.Equal(t, cloud.KubeCluster{ID: id, Name: "prod", DatacenterID: catalog.ID("datacenter", catalog.NYC1)}, c,
			"no worker yet; the control plane is not listed")
		groups, err := s.Provider.ListKubeGroups(t.Context(), id)
		require.NoError(t, err)
		require.Equal(t, []cloud.KubeGroup{web}, groups)
		offers, err := s.Provider.ListKubeOffers(t.Context(), catalog.NYC1)
		require.NoError(t, err)
		g, ok := cloud.GroupOfSize(groups, offers, "compute-4")
		require.True(t, ok)
		require.Equal(t, web.ID, g.ID)
	})
	t.Run("add, find, delete, delete again", func(t *testing.T) { t.Parallel(); runKubeNodeLifecycle(t, newSubject) })
	t.Run("refusals", func(t *testing.T) { t.Parallel(); runKubeRefusals(t, newSubject) })
}

func runKubeNodeLifecycle(t *testing.T, newSubject func(*testing.T) Subject) {
	s, id, web := managedCluster(t, newSubject)
	p, ctx := s.Provider, t.Context()
	before, err := p.Quota(ctx)
	require.NoError(t, err)

	require.NoError(t, p.AddKubeNode(ctx, id, web.ID))
	c, err := p.GetKubeCluster(ctx, id)
	require.NoError(t, err)
	added := cloud.KubeNodesAddedSince(c, web.ID, nil)
	require.Len(t, added, 1, "listed at once")
	n := added[0]
	requireUUID(t, n.ID)
	require.True(t, strings.HasPrefix(n.Hostname, "prod-web-"), n.Hostname)
	require.Equal(t, "vpsie://"+n.ID, n.ProviderID())
	groups, err := p.ListKubeGroups(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 1, groups[0].Nodes)
	requireUsedVMs(t, p, before.UsedVMs+1)

	require.NoError(t, p.DeleteKubeNode(ctx, id, n.ID))
	c, err = p.GetKubeCluster(ctx, id)
	require.NoError(t, err)
	require.Empty(t, c.Nodes)
	require.NoError(t, p.DeleteKubeNode(ctx, id, n.ID), "a second delete succeeds")
	requireUsedVMs(t, p, before.UsedVMs)
}

func runKubeRefusals(t *testing.T, newSubject func(*testing.T) Subject) {
	s, id, web := managedCluster(t, newSubject)
	p, ctx := s.Provider, t.Context()
	nowhere := catalog.ID("cluster", "nowhere")

	_, err := s.Kube.AddKubeGroup(id, "web-2", "compute-4")
	require.True(t, cloud.IsInvalid(err), "two groups of one size: %v", err)
	_, err = p.GetKubeCluster(ctx, nowhere)
	require.True(t, cloud.IsNotFound(err), "got %v", err)
	_, err = p.ListKubeGroups(ctx, nowhere)
	require.True(t, cloud.IsNotFound(err), "got %v", err)
	require.True(t, cloud.IsNotFound(p.AddKubeNode(ctx, id, web.ID+100)), "no such group")
	require.True(t, cloud.IsNotFound(p.DeleteKubeNode(ctx, nowhere, catalog.ID("node", "x"))), "no such cluster")

	s.Faults.LimitVMs(0)
	err = p.AddKubeNode(ctx, id, web.ID)
	require.True(t, cloud.IsQuotaExceeded(err), "got %v", err)
}
