package engine

import (
	"context"
	"errors"
	"time"

	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// errLeaseLost: this replica no longer holds the execution's lease (it
// expired unrenewed, or another replica claimed it). The execution stops
// where it is; the holder resumes it from the stored record.
var errLeaseLost = errors.New("lease lost")

// errLeaseHeld: another replica holds a live lease on the execution.
var errLeaseHeld = errors.New("execution owned by another replica")

// DefaultLeaseTTL is how long a lease lasts unrenewed.
const DefaultLeaseTTL = 15 * time.Second

// claim takes the lease of rec for this replica by a revision-checked
// write: of two replicas claiming the same expired lease, one writes and
// the other gets store.ErrConflict. The caller reserved the ID locally.
func (e *Executor) claim(ctx context.Context, rec *store.Record) (*store.Record, error) {
	if !rec.Lease.ClaimableBy(e.deps.Replica, e.deps.Clock.Now()) {
		return nil, errLeaseHeld
	}
	return e.takeLease(ctx, rec)
}

// takeLease writes this replica's lease over whatever rec holds; only a
// caller entitled to it (see claim, claimHandedOver) calls it.
func (e *Executor) takeLease(ctx context.Context, rec *store.Record) (*store.Record, error) {
	now := e.deps.Clock.Now()
	next := rec.Clone()
	next.Lease = store.Lease{Owner: e.deps.Replica, Expires: now.Add(e.deps.LeaseTTL)}
	next.State.Owner = e.deps.Replica
	return e.deps.Store.Update(ctx, next)
}

// checkLeaseLocked refuses to act once the lease is no longer ours by the
// local clock; x.mu is held.
func (x *execution) checkLeaseLocked() error {
	if !x.rec.Lease.HeldBy(x.deps.Replica, x.now()) {
		x.lose(errLeaseLost)
		return errLeaseLost
	}
	return nil
}

// holdsLease is checked before every node step (stepView.Proceed).
func (x *execution) holdsLease() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.checkLeaseLocked()
}

// lose stops the execution's work (its context ends with the cause).
func (x *execution) lose(cause error) {
	if x.stop != nil {
		x.stop(cause)
	}
}

// heartbeat renews the lease every third of its TTL. A renewal that fails
// (NATS unreachable, or the lease claimed) while the lease would run out
// before the next try stops the execution first, so no side effect is
// ever taken on an expired lease.
func (x *execution) heartbeat(ctx context.Context) {
	ttl := x.deps.LeaseTTL
	t := x.deps.Clock.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
		}
		err := x.renew(ctx)
		if err == nil || ctx.Err() != nil {
			continue
		}
		x.deps.Logger.Warn("lease renewal failed", "execution", x.id(), "error", err)
		var expires time.Time
		x.view(func(r *store.Record) { expires = r.Lease.Expires })
		if errors.Is(err, errLeaseLost) || !x.now().Add(ttl/3).Before(expires) {
			x.lose(errLeaseLost)
			return
		}
	}
}

// renew pushes the lease's expiry one TTL ahead.
func (x *execution) renew(ctx context.Context) error {
	now := x.now()
	return x.update(ctx, func(r *store.Record) { r.Lease.Expires = now.Add(x.deps.LeaseTTL) })
}

// handoverOwner holds the lease of a rollback handed over to the rollback
// role, for one TTL: the rollback handler, which receives the failure
// event, claims it at once; a scan only after the TTL, so it backs the
// handler up (none running, a failure it never received) without racing it.
const handoverOwner = "rollback-handler"

// previousOwner is the replica a claimed lease was taken from, for the
// EXECUTION_TAKEN_OVER event ("" when none: free, or handed over).
func previousOwner(l store.Lease) string {
	if l.Owner == handoverOwner {
		return ""
	}
	return l.Owner
}

// sameLease reports whether two reads show the same lease: a claim by
// anyone else changes the owner or the expiry.
func sameLease(a, b store.Lease) bool { return a.Owner == b.Owner && a.Expires.Equal(b.Expires) }

// release gives the lease up, so whoever acts next need not wait for it
// to expire (a pause, a hand-over to the rollback role).
func (x *execution) release(ctx context.Context) error {
	return x.update(ctx, func(r *store.Record) { r.Lease = store.Lease{} })
}
