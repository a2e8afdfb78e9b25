package catalogue

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

var start = time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC)

func TestRefreshPublishesASnapshotWithItsTime(t *testing.T) {
	t.Parallel()
	clk := testingclock.NewFakeClock(start)
	c := New(cloudfake.New(), clk, 5*time.Minute)
	_, err := c.Snapshot()
	require.ErrorIs(t, err, ErrNotLoaded)
	require.ErrorIs(t, c.Ready(t.Context()), ErrNotLoaded)

	require.NoError(t, c.Refresh(t.Context()))
	snap, err := c.Snapshot()
	require.NoError(t, err)
	require.Equal(t, start, snap.FetchedAt)
	require.NoError(t, c.Ready(t.Context()))
	require.NotNil(t, snap.Quota)
	require.Equal(t, cloudfake.DefaultQuota().MaxVMs, snap.Quota.MaxVMs)

	o, availability := snap.Offering(catalog.NYC1, "compute-4")
	require.Equal(t, Available, availability)
	require.InDelta(t, 24.0, o.MonthlyPrice, 0.001)
}

func TestOfferingTellsUnavailableHereFromUnknown(t *testing.T) {
	t.Parallel()
	fake := cloudfake.New()
	fake.MakeUnavailable(catalog.NYC1, "compute-4")
	c := New(fake, testingclock.NewFakeClock(start), time.Minute)
	require.NoError(t, c.Refresh(t.Context()))
	snap, _ := c.Snapshot()

	o, availability := snap.Offering(catalog.NYC1, "compute-4")
	require.Equal(t, Elsewhere, availability)
	require.InDelta(t, 24.0, o.MonthlyPrice, 0.001, "priced from a datacenter that sells it")
	_, availability = snap.Offering(catalog.NYC1, "gpu-monster")
	require.Equal(t, Unknown, availability)
	_, availability = snap.Offering(catalog.SGP1, "standard-16")
	require.Equal(t, Elsewhere, availability, "the default catalogue does not sell standard-16 in Singapore")
	_, availability = snap.Offering("dc-nowhere", "compute-4")
	require.Equal(t, Elsewhere, availability)
}

func TestAFailedRefreshKeepsTheLastSnapshot(t *testing.T) {
	t.Parallel()
	clk := testingclock.NewFakeClock(start)
	fake := cloudfake.New()
	c := New(fake, clk, time.Minute)
	require.NoError(t, c.Refresh(t.Context()))

	clk.Step(time.Minute)
	fake.NextError(cloudfake.OpListOfferings, cloud.NewError(cloud.ErrTransient, "ListOfferings", "502"))
	require.Error(t, c.Refresh(t.Context()))
	snap, err := c.Snapshot()
	require.ErrorIs(t, err, cloud.ErrTransient)
	require.Equal(t, start, snap.FetchedAt, "still the first snapshot, now a minute old")
	require.NoError(t, c.Ready(t.Context()), "an old snapshot still serves")
}

func TestAQuotaFailureStillPublishesPrices(t *testing.T) {
	t.Parallel()
	fake := cloudfake.New()
	fake.NextError(cloudfake.OpQuota, cloud.NewError(cloud.ErrRateLimited, "Quota", "slow down"))
	c := New(fake, testingclock.NewFakeClock(start), time.Minute)
	require.NoError(t, c.Refresh(t.Context()))
	snap, err := c.Snapshot()
	require.NoError(t, err)
	require.Nil(t, snap.Quota)
	require.ErrorIs(t, snap.QuotaErr, cloud.ErrRateLimited)
}

// countingSource counts refreshes, so the test can wait for one without
// sleeping.
type countingSource struct {
	*cloudfake.Provider
	mu    sync.Mutex
	lists int
}

func (s *countingSource) ListDatacenters(ctx context.Context) ([]cloud.Datacenter, error) {
	s.mu.Lock()
	s.lists++
	s.mu.Unlock()
	return s.Provider.ListDatacenters(ctx)
}

func (s *countingSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lists
}

func TestRunRefreshesEveryIntervalAndRetriesSoonerAfterAFailure(t *testing.T) {
	t.Parallel()
	clk := testingclock.NewFakeClock(start)
	src := &countingSource{Provider: cloudfake.New()}
	c := New(src, clk, 5*time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	waitFor := func(refreshes int) {
		t.Helper()
		require.Eventually(t, func() bool { return src.count() == refreshes && clk.HasWaiters() },
			5*time.Second, time.Millisecond)
	}
	waitFor(1)
	clk.Step(5*time.Minute - time.Second)
	require.Equal(t, 1, src.count(), "not before the interval")
	src.NextError(cloudfake.OpListDatacenters, cloud.NewError(cloud.ErrTransient, "ListDatacenters", "503"))
	clk.Step(time.Second)
	waitFor(2)
	clk.Step(retryFirst)
	waitFor(3)
	snap, err := c.Snapshot()
	require.NoError(t, err)
	require.Equal(t, start.Add(5*time.Minute+retryFirst), snap.FetchedAt)
}
