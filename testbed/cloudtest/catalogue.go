package cloudtest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

func runCatalogue(t *testing.T, newSubject func(*testing.T) Subject) {
	t.Run("lists the datacenters with UUIDs", func(t *testing.T) {
		t.Parallel()
		dcs, err := newSubject(t).Provider.ListDatacenters(t.Context())
		require.NoError(t, err)
		var names []string
		for _, dc := range dcs {
			requireUUID(t, dc.ID)
			names = append(names, dc.Name)
		}
		require.Subset(t, names, []string{catalog.NYC1, catalog.AMS1, catalog.SGP1})
	})
	t.Run("prices offerings monthly, cheapest first", func(t *testing.T) {
		t.Parallel()
		offerings, err := newSubject(t).Provider.ListOfferings(t.Context(), catalog.NYC1)
		require.NoError(t, err)
		byName := map[string]cloud.Offering{}
		for i, o := range offerings {
			requireUUID(t, o.ID)
			require.NotEmpty(t, o.Category, o.Name)
			if i > 0 {
				require.LessOrEqual(t, offerings[i-1].MonthlyPrice, o.MonthlyPrice)
			}
			byName[o.Name] = o
		}
		require.Contains(t, byName, "standard-8")
		require.Contains(t, byName, "compute-4")
		requireSize(t, byName["standard-8"], 8, 16384, 48)
		requireSize(t, byName["compute-4"], 4, 8192, 24)
	})
	t.Run("takes a datacenter by identifier or name", func(t *testing.T) {
		t.Parallel()
		p := newSubject(t).Provider
		byName, err := p.ListOfferings(t.Context(), catalog.AMS1)
		require.NoError(t, err)
		byID, err := p.ListOfferings(t.Context(), catalog.ID("datacenter", catalog.AMS1))
		require.NoError(t, err)
		require.Equal(t, byName, byID)
	})
	t.Run("gets an offering by identifier or name", func(t *testing.T) {
		t.Parallel()
		p := newSubject(t).Provider
		byName, err := p.GetOffering(t.Context(), catalog.NYC1, "standard-8")
		require.NoError(t, err)
		byID, err := p.GetOffering(t.Context(), catalog.NYC1, byName.ID)
		require.NoError(t, err)
		require.Equal(t, byName, byID)
		requireSize(t, byID, 8, 16384, 48)
	})
	runOfferingErrors(t, newSubject)
}

func runOfferingErrors(t *testing.T, newSubject func(*testing.T) Subject) {
	cases := map[string]struct {
		datacenter, offering string
		is                   func(error) bool
	}{
		"an unknown datacenter is not found":                {"dc-nowhere", "compute-4", cloud.IsNotFound},
		"an unknown offering is not found":                  {catalog.NYC1, "huge-999", cloud.IsNotFound},
		"an offering not sold there is unavailable":         {catalog.AMS1, "memory-8", cloud.IsOfferingUnavailable},
		"a known offering by identifier is unavailable too": {catalog.SGP1, catalog.ID("offering", "memory-8"), cloud.IsOfferingUnavailable},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := newSubject(t).Provider.GetOffering(t.Context(), tc.datacenter, tc.offering)
			require.Error(t, err)
			require.True(t, tc.is(err), "got %v", err)
		})
	}
}

func requireUUID(t *testing.T, id string) {
	t.Helper()
	_, err := uuid.Parse(id)
	require.NoError(t, err, "identifier %q", id)
}

func requireSize(t *testing.T, o cloud.Offering, cpu, ramMB int, monthly float64) {
	t.Helper()
	require.Equal(t, cpu, o.CPU, o.Name)
	require.Equal(t, ramMB, o.RAMMB, o.Name)
	require.InDelta(t, monthly, o.MonthlyPrice, 0.001, o.Name)
}
