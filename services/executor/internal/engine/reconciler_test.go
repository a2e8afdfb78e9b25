package engine

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// memLeases is store.Leases in memory.
type memLeases struct {
	mu     sync.Mutex
	leases map[string]store.Lease
}

func (m *memLeases) Acquire(_ context.Context, name, replica string, now time.Time, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.leases[name].ClaimableBy(replica, now) {
		return false, nil
	}
	m.leases[name] = store.Lease{Owner: replica, Expires: now.Add(ttl)}
	return true, nil
}

// Of two replicas, the one holding the reconciler's lease acts; the other
// takes over once the holder stopped renewing it.
func TestOneReplicaReconcilesAtATime(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	c := &taggedCloud{vms: []cloud.VM{taggedVM("vm-lost", DefaultInstallation, "exec-gone", u.clock.Now().Add(-time.Hour))}}
	leases := &memLeases{leases: map[string]store.Lease{}}
	replica := func(name string) *Executor {
		deps := *u.x.deps
		deps.Cloud, deps.Leases, deps.Replica = c, leases, name
		e := New(deps, u.x.deps.checker, nil)
		t.Cleanup(e.Stop)
		return e
	}
	a, b := replica("a"), replica("b")
	require.NoError(t, a.reconcileIfLeader(t.Context(), &time.Time{}))
	require.NoError(t, b.reconcileIfLeader(t.Context(), &time.Time{}))
	require.Equal(t, []string{"vm-lost"}, c.deleted, "b does not hold the lease")

	u.clock.Step(a.reconcilerTTL())
	require.NoError(t, b.reconcileIfLeader(t.Context(), &time.Time{}))
	require.Equal(t, []string{"vm-lost", "vm-lost"}, c.deleted, "a stopped renewing: b reconciles")
}

// Orphans are looked for every tenth of their grace, not every pass: each
// look lists every VM of the account.
func TestOrphansAreLookedForEveryTenthOfTheirGrace(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	c := &taggedCloud{vms: []cloud.VM{taggedVM("vm-lost", DefaultInstallation, "exec-gone", u.clock.Now().Add(-time.Hour))}}
	deps := *u.x.deps
	deps.Cloud = c
	e := New(deps, u.x.deps.checker, nil)
	t.Cleanup(e.Stop)
	require.Equal(t, DefaultOrphanGrace/10, e.orphanSweepEvery())

	var sweptAt time.Time
	require.NoError(t, e.reconcileIfLeader(t.Context(), &sweptAt))
	u.clock.Step(e.deps.Reconcile.Interval)
	require.NoError(t, e.reconcileIfLeader(t.Context(), &sweptAt))
	require.Equal(t, []string{"vm-lost"}, c.deleted, "the second pass came before a tenth of the grace")
	u.clock.Step(e.orphanSweepEvery() - e.deps.Reconcile.Interval)
	require.NoError(t, e.reconcileIfLeader(t.Context(), &sweptAt))
	require.Equal(t, []string{"vm-lost", "vm-lost"}, c.deleted, "a tenth of the grace later it looks again")
}
