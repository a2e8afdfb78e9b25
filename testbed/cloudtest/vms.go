package cloudtest

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

func runLifecycle(t *testing.T, newSubject func(*testing.T) Subject) {
	t.Run("create, find, get, list, delete, delete again", func(t *testing.T) {
		t.Parallel()
		p, ctx, spec := newSubject(t).Provider, t.Context(), validSpec()
		before, err := p.Quota(ctx)
		require.NoError(t, err)

		created, err := p.CreateVM(ctx, spec)
		require.NoError(t, err)
		requireMatches(t, spec, created)

		found, err := p.FindVM(ctx, spec.Hostname)
		require.NoError(t, err)
		require.Equal(t, created.ID, found.ID)
		got, err := p.GetVM(ctx, created.ID)
		require.NoError(t, err)
		requireMatches(t, spec, got)
		require.Contains(t, hostnames(t, p), spec.Hostname)
		requireUsedVMs(t, p, before.UsedVMs+1)

		require.NoError(t, p.DeleteVM(ctx, created.ID))
		_, err = p.GetVM(ctx, created.ID)
		require.True(t, cloud.IsNotFound(err), "get after delete: %v", err)
		_, err = p.FindVM(ctx, spec.Hostname)
		require.True(t, cloud.IsNotFound(err), "find after delete: %v", err)
		require.NotContains(t, hostnames(t, p), spec.Hostname)
		require.NoError(t, p.DeleteVM(ctx, created.ID), "a second delete succeeds")
		requireUsedVMs(t, p, before.UsedVMs)
	})
	t.Run("create is idempotent per hostname", func(t *testing.T) {
		t.Parallel()
		p, spec := newSubject(t).Provider, validSpec()
		first, err := p.CreateVM(t.Context(), spec)
		require.NoError(t, err)
		again, err := p.CreateVM(t.Context(), spec)
		require.NoError(t, err)
		require.Equal(t, first.ID, again.ID)
		names := hostnames(t, p)
		require.Len(t, slices.DeleteFunc(names, func(h string) bool { return h != spec.Hostname }), 1)
	})
}

func runLookups(t *testing.T, newSubject func(*testing.T) Subject) {
	t.Run("an unknown identifier is not found", func(t *testing.T) {
		t.Parallel()
		_, err := newSubject(t).Provider.GetVM(t.Context(), catalog.ID("vm", "never-created"))
		require.True(t, cloud.IsNotFound(err), "got %v", err)
	})
	t.Run("an unknown hostname is not found", func(t *testing.T) {
		t.Parallel()
		_, err := newSubject(t).Provider.FindVM(t.Context(), Hostname("nobody"))
		require.True(t, cloud.IsNotFound(err), "got %v", err)
	})
	t.Run("deleting an unknown identifier succeeds", func(t *testing.T) {
		t.Parallel()
		require.NoError(t, newSubject(t).Provider.DeleteVM(t.Context(), catalog.ID("vm", "never-created")))
	})
	t.Run("an ended context fails the call", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := newSubject(t).Provider.CreateVM(ctx, validSpec())
		require.ErrorIs(t, err, context.Canceled)
	})
}

func requireMatches(t *testing.T, spec cloud.CreateSpec, vm cloud.VM) {
	t.Helper()
	require.NotEmpty(t, vm.ID)
	requireUUID(t, vm.ID)
	require.Equal(t, spec.Hostname, vm.Hostname)
	require.Equal(t, catalog.ID("datacenter", spec.Datacenter), vm.DatacenterID)
	require.Equal(t, 4, vm.CPU)
	require.Equal(t, 8192, vm.RAMMB)
	require.Contains(t, []cloud.VMStatus{cloud.VMBuilding, cloud.VMRunning}, vm.Status)
	require.Equal(t, spec.Labels, vm.Labels)
	require.Equal(t, spec.Taints, vm.Taints)
	require.Equal(t, "vpsie://"+vm.ID, vm.ProviderID())
}

func hostnames(t *testing.T, p cloud.Provider) []string {
	t.Helper()
	vms, err := p.ListVMs(t.Context())
	require.NoError(t, err)
	var out []string
	for _, vm := range vms {
		out = append(out, vm.Hostname)
	}
	return out
}

func requireUsedVMs(t *testing.T, p cloud.Provider, want int) {
	t.Helper()
	q, err := p.Quota(t.Context())
	require.NoError(t, err)
	require.Equal(t, want, q.UsedVMs)
	require.Positive(t, q.MaxVMs)
}
