package catalog_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

func TestIdentifiersAreStableAndDistinct(t *testing.T) {
	t.Parallel()
	require.Equal(t, catalog.ID("offering", "standard-8"), catalog.ID("offering", "standard-8"))
	require.NotEqual(t, catalog.ID("offering", "standard-8"), catalog.ID("datacenter", "standard-8"))
	require.Equal(t, catalog.Default(), catalog.Default(), "every run sees the same catalogue")
}

func TestDefaultCatalogueHasTheAgreedSizes(t *testing.T) {
	t.Parallel()
	c := catalog.Default()
	for _, name := range []string{"standard-2", "standard-4", "standard-8", "compute-2", "compute-4", "compute-8", "memory-4", "memory-8"} {
		e, ok := c.Offering(name)
		require.True(t, ok, name)
		require.NotEmpty(t, e.Datacenters, name)
		_, ok = c.Category(e.CategoryID)
		require.True(t, ok, name)
	}
	s8, _ := c.Offering("standard-8")
	require.Equal(t, []any{8, 16384, 48.0}, []any{s8.CPU, s8.RAMMB, s8.MonthlyPrice})
	c4, _ := c.Offering("compute-4")
	require.Equal(t, []any{4, 8192, 24.0}, []any{c4.CPU, c4.RAMMB, c4.MonthlyPrice})
}

func TestInListsWhatADatacenterSellsCheapestFirst(t *testing.T) {
	t.Parallel()
	c := catalog.Default()
	ams, ok := c.Datacenter(catalog.AMS1)
	require.True(t, ok)
	sold := c.In(ams.ID)
	var names []string
	for i, e := range sold {
		names = append(names, e.Name)
		if i > 0 {
			require.LessOrEqual(t, sold[i-1].MonthlyPrice, e.MonthlyPrice)
		}
	}
	require.NotContains(t, names, "memory-8")
	require.Contains(t, names, "compute-4")
}
