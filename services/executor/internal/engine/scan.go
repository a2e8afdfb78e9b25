package engine

import (
	"context"
	"errors"
	"time"

	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Roles are the kinds of work a replica takes on.
type Roles struct {
	// Execute runs plans (PENDING and RUNNING executions).
	Execute bool
	// Rollback carries out rollbacks (ROLLING_BACK executions).
	Rollback bool
}

// Start scans the store at once (a restarted replica takes its own
// executions back) and then every scan interval, claiming executions
// whose lease expired, those paused for the schedule whose time came, and
// failed rollbacks whose retry is due: an owner that died is taken over
// within its lease TTL plus one interval. It also starts the reconciler
// (reconciler.go), which acts on one replica at a time.
func (e *Executor) Start() {
	e.wg.Go(func() {
		t := e.deps.Clock.NewTicker(e.scanInterval())
		defer t.Stop()
		for {
			if err := e.scan(e.ctx); err != nil && e.ctx.Err() == nil {
				e.deps.Logger.Warn("scan of executions failed", "error", err)
			}
			select {
			case <-e.ctx.Done():
				return
			case <-t.C():
			}
		}
	})
	e.startReconciler()
}

// scanInterval is a third of the TTL, at most 2 s: takeover stays well
// inside TTL + 5 s, and a long TTL does not slow it.
func (e *Executor) scanInterval() time.Duration {
	return min(e.deps.LeaseTTL/3, 2*time.Second)
}

// scan claims and launches every execution this replica should run and
// nobody holds.
func (e *Executor) scan(ctx context.Context) error {
	recs, err := e.deps.Store.Unfinished(ctx)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if !e.takes(r) || !r.Lease.ClaimableBy(e.deps.Replica, e.deps.Clock.Now()) {
			continue
		}
		e.claimAndLaunch(ctx, r)
	}
	return nil
}

// claimAndLaunch claims rec's lease and runs it here; a claim lost to
// another replica is not an error.
func (e *Executor) claimAndLaunch(ctx context.Context, rec *store.Record) {
	id := rec.State.GetExecutionId()
	if !e.reserve(id) {
		return
	}
	claimed, previous, err := e.claimFresh(ctx, rec)
	if err != nil {
		e.unreserve(id)
		e.deps.Logger.Debug("claim not taken", "execution", id, "error", err)
		return
	}
	e.launch(claimed, previous)
}

// claimFresh claims rec, or, when rec is no longer the last revision, the
// latest record if it is still this replica's to take: the index lags the
// bucket by a moment (or more, if its watch stalled). It returns the
// claimed record and the owner it was taken from.
func (e *Executor) claimFresh(ctx context.Context, rec *store.Record) (*store.Record, string, error) {
	claimed, err := e.claim(ctx, rec)
	if !errors.Is(err, store.ErrConflict) {
		return claimed, previousOwner(rec.Lease), err
	}
	latest, err := e.deps.Store.Get(ctx, rec.State.GetExecutionId())
	if err != nil {
		return nil, "", err
	}
	if !e.takes(latest) {
		return nil, "", errLeaseHeld
	}
	claimed, err = e.claim(ctx, latest)
	return claimed, previousOwner(latest.Lease), err
}

// takes reports whether rec is work for this replica's roles. A cancel
// taken from a paused or unapproved execution, not yet begun, is anyone's
// to finish: the replica that took it may have died before starting. An
// execution paused for the schedule whose time came is the executor
// role's to resume (window.go).
func (e *Executor) takes(r *store.Record) bool {
	switch r.State.GetStatus() {
	case pending, running:
		return e.deps.Roles.Execute
	case rollingBack:
		return e.deps.Roles.Rollback && (r.Book.RollbackRetry == nil || retryDue(r, e.deps.Clock.Now()))
	case paused, awaitingApproval:
		return r.Control.Cancel || (e.deps.Roles.Execute && resumeDue(r, e.deps.Clock.Now()))
	}
	// The end's tail of a final execution is anyone's to finish.
	return r.Book.Ending != nil && isFinal(r.State.GetStatus())
}

// reserve records id as run here; false if it already is.
func (e *Executor) reserve(id string) bool {
	e.runningMu.Lock()
	defer e.runningMu.Unlock()
	if e.running[id] != nil {
		return false
	}
	e.running[id] = make(chan struct{})
	return true
}

// runsHere reports whether this replica runs id now.
func (e *Executor) runsHere(id string) bool {
	e.runningMu.Lock()
	defer e.runningMu.Unlock()
	return e.running[id] != nil
}

func (e *Executor) unreserve(id string) {
	e.runningMu.Lock()
	defer e.runningMu.Unlock()
	if done := e.running[id]; done != nil {
		close(done)
		delete(e.running, id)
	}
}

// reserveAfterLocalRun reserves id once this replica's run of it, if
// any, has ended: the caller saw a status no run continues from (paused,
// failed), so that run is only finishing its last writes.
func (e *Executor) reserveAfterLocalRun(ctx context.Context, id string) error {
	for !e.reserve(id) {
		e.runningMu.Lock()
		done := e.running[id]
		e.runningMu.Unlock()
		if done == nil {
			continue
		}
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
