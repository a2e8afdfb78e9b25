package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// One replica holds a named lease and renews it; another gets it only
// once it expired.
func TestALeaseHasOneHolderUntilItExpires(t *testing.T) {
	t.Parallel()
	leases, err := store.OpenLeases(t.Context(), embeddedJetStream(t), 1)
	require.NoError(t, err)

	ctx, now, ttl := t.Context(), time.Unix(1_800_000_000, 0), 15*time.Second
	held, err := leases.Acquire(ctx, "reconciler", "a", now, ttl)
	require.NoError(t, err)
	require.True(t, held, "free: taken")
	held, err = leases.Acquire(ctx, "reconciler", "b", now.Add(time.Second), ttl)
	require.NoError(t, err)
	require.False(t, held, "a holds it")
	held, err = leases.Acquire(ctx, "reconciler", "a", now.Add(10*time.Second), ttl)
	require.NoError(t, err)
	require.True(t, held, "renewed by its holder")
	held, err = leases.Acquire(ctx, "reconciler", "b", now.Add(20*time.Second), ttl)
	require.NoError(t, err)
	require.False(t, held, "the renewal counts from 10 s")
	held, err = leases.Acquire(ctx, "reconciler", "b", now.Add(26*time.Second), ttl)
	require.NoError(t, err)
	require.True(t, held, "expired: taken over")
}
