// Package catalogue keeps a copy of the VPSie catalogue (datacenters,
// offerings with prices, the node sizes of Managed Kubernetes with theirs)
// and the account's quota, refreshed periodically, so an analysis never
// waits on the VPSie API for prices and always knows how old they are.
package catalogue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// Source is what the cache reads: the catalogue, the Managed Kubernetes
// node sizes and the quota.
type Source interface {
	cloud.Catalogue
	cloud.QuotaReader
	KubeOffers
}

// KubeOffers lists the node sizes VPSie Managed Kubernetes sells in a
// datacenter (a subset of cloud.ManagedKubernetes).
type KubeOffers interface {
	ListKubeOffers(ctx context.Context, datacenter string) ([]cloud.Offering, error)
}

// Cache holds the latest snapshot. A failed refresh keeps the previous
// snapshot, which then grows old; callers see its age and the error.
type Cache struct {
	source   Source
	clock    clock.Clock
	interval time.Duration

	mu      sync.Mutex
	current *Snapshot
	lastErr error
}

// New returns an empty cache refreshing every interval once Run starts.
func New(source Source, clk clock.Clock, interval time.Duration) *Cache {
	return &Cache{source: source, clock: clk, interval: interval}
}

// ErrNotLoaded means no refresh has succeeded yet.
var ErrNotLoaded = errors.New("VPSie catalogue not loaded yet")

// Snapshot returns the latest snapshot (nil before the first success) and
// the error of the latest refresh (nil when it succeeded).
func (c *Cache) Snapshot() (*Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current == nil && c.lastErr == nil {
		return nil, ErrNotLoaded
	}
	return c.current, c.lastErr
}

// Ready is a readiness check for server.Dependency: nil once a snapshot
// exists. Later failures keep the service serving, on the older snapshot.
func (c *Cache) Ready(context.Context) error {
	snap, err := c.Snapshot()
	if snap != nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrNotLoaded, err)
}

// Refresh fetches a whole new snapshot and publishes it, or records why not.
func (c *Cache) Refresh(ctx context.Context) error {
	snap, err := c.fetch(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastErr = err
	if err == nil {
		c.current = snap
	}
	return err
}

func (c *Cache) fetch(ctx context.Context) (*Snapshot, error) {
	dcs, err := c.source.ListDatacenters(ctx)
	if err != nil {
		return nil, fmt.Errorf("list datacenters: %w", err)
	}
	snap := &Snapshot{Datacenters: dcs, offerings: make(map[string][]cloud.Offering, len(dcs)),
		kubeOffers: make(map[string][]cloud.Offering, len(dcs))}
	for _, dc := range dcs {
		offerings, err := c.source.ListOfferings(ctx, dc.ID)
		if err != nil {
			return nil, fmt.Errorf("list offerings of %s: %w", dc.Name, err)
		}
		snap.offerings[dc.ID] = offerings
		if snap.kubeOffers[dc.ID], err = c.kubeOffers(ctx, dc); err != nil {
			return nil, err
		}
	}
	if q, err := c.source.Quota(ctx); err != nil {
		snap.QuotaErr = err
	} else {
		snap.Quota = &q
	}
	snap.FetchedAt = c.clock.Now()
	return snap, nil
}

// kubeOffers lists the Managed Kubernetes sizes of dc. A datacenter VPSie
// runs no managed clusters in answers ErrNotFound: it sells none, which
// is no reason to drop the plans' prices of every datacenter.
func (c *Cache) kubeOffers(ctx context.Context, dc cloud.Datacenter) ([]cloud.Offering, error) {
	offers, err := c.source.ListKubeOffers(ctx, dc.ID)
	switch {
	case cloud.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("list Kubernetes offers of %s: %w", dc.Name, err)
	}
	return offers, nil
}

// retryFirst is the first wait after a failed refresh; it doubles up to
// the interval, so a VPSie API that comes back is noticed within seconds.
const retryFirst = time.Second

// Run refreshes at once, then every interval (sooner after a failure),
// until ctx ends.
func (c *Cache) Run(ctx context.Context) {
	retry := retryFirst
	for {
		next := c.interval
		if err := c.Refresh(ctx); err != nil {
			next = min(retry, c.interval)
			retry *= 2
		} else {
			retry = retryFirst
		}
		timer := c.clock.NewTimer(next)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C():
		}
	}
}
