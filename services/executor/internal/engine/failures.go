package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// RollbackHandler is the durable consumer the rollback role reads failures
// from: every rollback replica pulls from it, so each failure goes to one,
// and failures published while no rollback replica runs wait for one.
func RollbackHandler() progress.Consumer {
	return progress.Consumer{
		Durable:    "rollback-handler",
		Kinds:      []rebalancerv1.EventKind{rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED},
		AckWait:    30 * time.Second,
		RetryDelay: 250 * time.Millisecond,
		RetryCap:   5 * time.Second,
	}
}

// errOwnerDeciding: the execution's owner is alive and has not yet said
// what follows the failure (it rolls back itself or hands the rollback
// over); the failure is looked at again shortly.
var errOwnerDeciding = errors.New("the owner is still handling the failure")

// HandleFailure carries out the automatic rollback a failure event calls
// for, once: it claims the execution when its rollback was handed over
// (status ROLLING_BACK, lease released) or its owner died after the
// failure, and runs the rollback here. It returns nil when nothing is
// left for the rollback role to do (rollback manual, already done, or
// under way by a live owner) and an error to be asked again later. Safe
// to call twice for one failure: the lease lets one replica act.
func (e *Executor) HandleFailure(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error {
	rec, err := e.deps.Store.Get(ctx, ev.GetExecutionId())
	if errors.Is(err, store.ErrNotFound) {
		e.deps.Logger.Warn("failure event of an unknown execution ignored", "execution", ev.GetExecutionId())
		return nil
	}
	if err != nil {
		return err
	}
	if !rollsBack(rec) || isFinal(rec.State.GetStatus()) {
		return nil
	}
	if !retryDue(rec, e.deps.Clock.Now()) {
		return nil // a rollback that failed: the scan retries it when due
	}
	held := !rec.Lease.ClaimableBy(e.deps.Replica, e.deps.Clock.Now()) || e.runsHere(rec.State.GetExecutionId())
	switch status := rec.State.GetStatus(); {
	case status == rollingBack && rec.Lease.Owner == handoverOwner:
		return e.claimRollback(ctx, rec)
	case status == rollingBack && held:
		return nil // rolling back on a live replica; the scan covers its death
	case status == rollingBack:
		return e.claimRollback(ctx, rec)
	case status == running && held:
		return errOwnerDeciding
	case status == running:
		return e.takeOverFailed(ctx, rec.State.GetExecutionId(), rec.Lease.Owner)
	}
	return nil // paused or awaiting approval: an operator decides
}

// claimRollback claims a handed-over (or abandoned) rollback and runs it
// here; the revision check lets one claimant through.
func (e *Executor) claimRollback(ctx context.Context, rec *store.Record) error {
	id := rec.State.GetExecutionId()
	if !e.reserve(id) {
		return nil // running here already
	}
	claimed, err := e.takeLease(ctx, rec)
	if err != nil {
		e.unreserve(id)
		return fmt.Errorf("claim the rollback of %s: %w", id, err) // someone else won: looked at again
	}
	e.deps.Logger.Info("rollback claimed from a failure event", "execution", id)
	e.launch(claimed, previousOwner(rec.Lease))
	return nil
}

// takeOverFailed rolls back an execution whose owner died after a batch
// failed: resuming it would only fail again.
func (e *Executor) takeOverFailed(ctx context.Context, id, previousOwner string) error {
	_, err := e.takeOver(ctx, id, "roll back", []status{running}, nil,
		func(r *store.Record) { r.State.Status = rollingBack },
		announcement{kind: rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER,
			message: fmt.Sprintf("Execution taken over by %s from %s, whose lease expired after a failure, to roll back", e.deps.Replica, previousOwner)})
	if err != nil {
		return fmt.Errorf("take over the failed %s: %w", id, err)
	}
	e.deps.Logger.Info("failed execution of a dead owner taken over to roll back", "execution", id)
	return nil
}

// FailureSource delivers failure events to handle until ctx ends
// (progress.Consume with RollbackHandler in production).
type FailureSource func(ctx context.Context, handle func(context.Context, *rebalancerv1.ExecutionEvent) error) error

// HandleFailures runs the rollback handler in the background until Stop,
// starting source again after it fails (NATS gone a while, say).
func (e *Executor) HandleFailures(source FailureSource) {
	e.wg.Go(func() {
		for {
			err := source(e.ctx, e.HandleFailure)
			if e.ctx.Err() != nil {
				return
			}
			e.deps.Logger.Warn("rollback handler stopped; starting it again", "error", err)
			select {
			case <-e.ctx.Done():
				return
			case <-e.deps.Clock.After(time.Second):
			}
		}
	})
}

// rollsBack reports whether a failed execution rolls back by itself: its
// plan says so, or a soak's health gate failed, which always gives the
// moved workloads their old node back.
func rollsBack(rec *store.Record) bool {
	return rec.Plan.GetRollbackPlan().GetAutomatic() || rec.Book.GateFailed != ""
}
