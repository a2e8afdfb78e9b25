package engine

import (
	"context"
	"errors"
	"time"
)

// The reconciler looks, every Interval, for what executions left behind
// that no running execution will take care of, and puts it right:
//   - old nodes still marked (cordon, replacing taint) by an execution that
//     ended or is gone: restored (reconcile.go);
//   - NodeGroup locks naming such an execution: cleared (grouplock.go);
//   - replacement machines such an execution did not keep: adopted or
//     deleted after OrphanGrace (orphans.go).
//
// Rollbacks that failed are retried by the scan, which claims them when
// their backoff ran out (rollbackretry.go).
//
// All of it is idempotent, but one replica of an installation acts at a
// time, under the lease reconcilerLease: two replicas deleting one orphan
// is harmless, but each would count and report it.

// ReconcileSettings tune the reconciler.
type ReconcileSettings struct {
	// Interval between two passes (DefaultReconcileInterval).
	Interval time.Duration
	// OrphanGrace is how long a replacement no execution keeps stands
	// before it is adopted or deleted (DefaultOrphanGrace), counted from
	// its creation or its execution's end, whichever is later: it covers
	// the moments when a VM exists and its record does not say so yet.
	OrphanGrace time.Duration
	// RollbackRetry is the first wait before a failed rollback is tried
	// again, doubling each time (DefaultRollbackRetry).
	RollbackRetry time.Duration
}

// DefaultReconcileInterval is how often a replica looks for leftovers.
const DefaultReconcileInterval = 5 * time.Second

// DefaultOrphanGrace is how long an orphan replacement stands.
const DefaultOrphanGrace = 5 * time.Minute

func (s ReconcileSettings) withDefaults() ReconcileSettings {
	if s.Interval <= 0 {
		s.Interval = DefaultReconcileInterval
	}
	if s.OrphanGrace <= 0 {
		s.OrphanGrace = DefaultOrphanGrace
	}
	if s.RollbackRetry <= 0 {
		s.RollbackRetry = DefaultRollbackRetry
	}
	return s
}

// reconcilerLease names the reconciler's lease in the lease bucket.
const reconcilerLease = "reconciler"

// reconcilerTTL is how long the reconciler's lease lasts unrenewed: three
// passes, so a dead holder is replaced within four intervals, and a slow
// pass does not lose it.
func (e *Executor) reconcilerTTL() time.Duration { return 3 * e.deps.Reconcile.Interval }

// startReconciler runs a pass at once and then every interval, while this
// replica holds the reconciler's lease, until Stop.
func (e *Executor) startReconciler() {
	e.wg.Go(func() {
		t := e.deps.Clock.NewTicker(e.deps.Reconcile.Interval)
		defer t.Stop()
		var sweptAt time.Time // of orphans: see orphanSweepEvery
		for {
			if err := e.reconcileIfLeader(e.ctx, &sweptAt); err != nil && e.ctx.Err() == nil {
				e.deps.Logger.Warn("reconcile pass failed; next pass retries", "error", err)
			}
			select {
			case <-e.ctx.Done():
				return
			case <-t.C():
			}
		}
	})
}

// reconcileIfLeader runs one pass if this replica holds (or takes) the
// reconciler's lease; its orphans part only when the last ran (sweptAt)
// orphanSweepEvery ago.
func (e *Executor) reconcileIfLeader(ctx context.Context, sweptAt *time.Time) error {
	if e.deps.Leases != nil {
		held, err := e.deps.Leases.Acquire(ctx, reconcilerLease, e.deps.Replica, e.deps.Clock.Now(), e.reconcilerTTL())
		if err != nil || !held {
			return err
		}
	}
	now := e.deps.Clock.Now()
	if now.Sub(*sweptAt) < e.orphanSweepEvery() {
		return errors.Join(e.reconcileNodes(ctx), e.sweepLocks(ctx))
	}
	*sweptAt = now
	return e.Reconcile(ctx)
}

// orphanSweepEvery paces the orphans part of the reconciler: an orphan
// stands OrphanGrace before anything is done about it, so looking for one
// every Interval only repeats the same listings of VMs, nodes and
// NodeGroups (at 100 nodes, a third of the VPSie requests of a rebalance);
// a tenth of the grace finds each one within 10% of it.
func (e *Executor) orphanSweepEvery() time.Duration {
	return max(e.deps.Reconcile.Interval, e.deps.Reconcile.OrphanGrace/10)
}

// Reconcile runs one pass of the reconciler: marked nodes, group locks,
// orphan replacements. Each part runs even when another failed.
func (e *Executor) Reconcile(ctx context.Context) error {
	return errors.Join(e.reconcileNodes(ctx), e.sweepLocks(ctx), e.reclaimOrphans(ctx))
}
