package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// A rollback that fails (a replacement whose pods a PDB keeps, the cloud
// refusing a delete) is not the end: ending FAILED would leave old nodes
// cordoned and replacements billing until someone looked. The execution
// stays ROLLING_BACK, holding its group, with its lease released and the
// time of the next attempt in the record (Book.RollbackRetry); the scan of
// a rollback replica claims it once that time came, and the rollback runs
// again from the top (its steps are idempotent). The delay doubles from
// ReconcileSettings.RollbackRetry up to rollbackRetryCap. Meanwhile the
// execution's status_message starts with NeedsAttention and says why;
// CancelExecution stops the retries (giveUpRollback).

// NeedsAttention starts the status_message of an execution an operator
// must look at; rebalancectl shows such executions as needing attention.
const NeedsAttention = "Needs attention: "

// DefaultRollbackRetry is the first delay before a failed rollback is
// tried again.
const DefaultRollbackRetry = 10 * time.Second

// rollbackRetryCap bounds the delay between two attempts.
const rollbackRetryCap = 5 * time.Minute

// rollbackDelay is the wait after the attempts-th failed rollback.
func rollbackDelay(first time.Duration, attempts int) time.Duration {
	b := wait.Backoff{Duration: first, Factor: 2, Steps: math.MaxInt32, Cap: rollbackRetryCap}
	d := b.Step()
	for i := 1; i < attempts; i++ {
		d = b.Step()
	}
	return d
}

// retryDue reports whether a ROLLING_BACK execution may be claimed now:
// its rollback never failed, or its next attempt's time came.
func retryDue(r *store.Record, now time.Time) bool {
	retry := r.Book.RollbackRetry
	return retry == nil || !now.Before(retry.NextAt)
}

// retryRollbackLater records a failed rollback and its next attempt, says
// why an operator should look, and gives the lease up so that whichever
// rollback replica scans after the delay tries again.
func (x *execution) retryRollbackLater(ctx context.Context, cause error) error {
	now := x.now()
	var attempts int
	x.view(func(r *store.Record) {
		if r.Book.RollbackRetry != nil {
			attempts = r.Book.RollbackRetry.Attempts
		}
	})
	attempts++
	next := now.Add(rollbackDelay(x.deps.Reconcile.RollbackRetry, attempts))
	message := fmt.Sprintf("%sthe rollback failed (attempt %d): %v; tried again at %s, until it succeeds or CancelExecution stops the retries",
		NeedsAttention, attempts, cause, next.UTC().Format(time.RFC3339))
	x.deps.Logger.Error("rollback failed; retried with backoff", "execution", x.id(), "attempt", attempts, "next", next, "error", cause)
	x.deps.Metrics.RollbackRetries.WithLabelValues(x.plan().GetNamespace(), x.plan().GetNodeGroup()).Inc()
	return x.update(ctx, func(r *store.Record) {
		r.Book.RollbackRetry = &store.RollbackRetry{Attempts: attempts, NextAt: next, LastError: cause.Error()}
		r.State.StatusMessage = message
		r.State.Errors = append(r.State.Errors, "rollback: "+cause.Error())
		r.Lease = store.Lease{}
	})
}

// giveUpRollback is an operator's CancelExecution of a rollback that
// failed: no more attempts, FAILED with the work as it stands. The
// reconciler then restores the old nodes still marked (from the record)
// and reclaims the replacements the execution did not keep, after the
// orphan grace. A retry under way at this moment answers ErrBusy.
func (e *Executor) giveUpRollback(ctx context.Context, id, reason string) (*rebalancerv1.ExecutionState, error) {
	rec, err := e.getIn(ctx, id, "cancel", []status{rollingBack})
	if err != nil {
		return nil, err
	}
	if rec.Book.RollbackRetry == nil {
		return nil, &StateError{Status: rollingBack, Action: "cancel"}
	}
	if !e.reserve(id) {
		return nil, ErrBusy
	}
	defer e.unreserve(id)
	claimed, err := e.claim(ctx, rec)
	if errors.Is(err, errLeaseHeld) || errors.Is(err, store.ErrConflict) {
		return nil, ErrBusy
	}
	if err != nil {
		return nil, err
	}
	x := newExecution(&e.deps, claimed, nil)
	attempts := claimed.Book.RollbackRetry.Attempts
	if err := x.update(ctx, func(r *store.Record) {
		r.State.StatusMessage = fmt.Sprintf("%srollback retries stopped by an operator after %d failed attempts (%s); left as it stood, the reconciler restores old nodes and reclaims replacements not kept",
			NeedsAttention, attempts, reason)
		r.Book.RollbackRetry = nil
	}); err != nil {
		return nil, err
	}
	if err := x.finish(ctx, failed); err != nil {
		return nil, err
	}
	return x.snapshot(), nil
}

// settleRetried clears the retry of a rollback that succeeded at last,
// saying after how many failed attempts.
func settleRetried(r *store.Record) {
	if r.Book.RollbackRetry == nil {
		return
	}
	r.State.StatusMessage = fmt.Sprintf("Rolled back after %d failed attempts", r.Book.RollbackRetry.Attempts)
	r.Book.RollbackRetry = nil
}
