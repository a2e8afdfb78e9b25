package engine

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// drive runs one execution, whose lease this replica holds, from where
// its record stands to a final status (or a pause). It returns early,
// leaving the record as it is, when ctx ends (shutdown, lease lost): the
// next holder resumes it.
func (x *execution) drive(ctx context.Context, previousOwner string) error {
	if err := x.republishOutbox(ctx); err != nil {
		return err
	}
	if previousOwner != "" && previousOwner != x.deps.Replica && !x.finalAnnounced() {
		if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER, "", 0,
			map[string]string{"previous_owner": previousOwner, "owner": x.deps.Replica},
			"Execution taken over by %s from %s, whose lease expired", x.deps.Replica, previousOwner); err != nil {
			return err
		}
	}
	if isFinal(x.snapshot().GetStatus()) {
		return x.resumeEnding(ctx) // an owner killed before the end's tail was done
	}
	// No step of a plan whose record was altered: not even a rollback.
	if err := accept.Intact(x.plan()); err != nil {
		return x.abandon(ctx, err)
	}
	if x.control().Cancel {
		return x.cancelToEnd(ctx)
	}
	switch x.snapshot().GetStatus() {
	case pending, running:
		return x.proceed(ctx)
	case rollingBack:
		return x.rollbackToEnd(ctx)
	case paused:
		var due bool
		x.view(func(r *store.Record) { due = resumeDue(r, x.now()) })
		if due {
			return x.resumeBySchedule(ctx)
		}
	}
	return nil // awaiting approval or paused: nothing to do here
}

// abandon ends an execution whose stored plan fails acceptance: FAILED,
// nothing done, for an operator to look at (the reconcile restores the
// old nodes it tainted, from their notes).
func (x *execution) abandon(ctx context.Context, cause error) error {
	x.deps.Logger.Error("stored execution refused: its plan fails acceptance", "execution", x.id(), "error", cause)
	if err := x.update(ctx, func(r *store.Record) {
		r.State.StatusMessage = "Refused from the store, nothing done: " + cause.Error() + "; an operator must look"
		r.State.Errors = append(r.State.Errors, cause.Error())
	}); err != nil {
		return err
	}
	return x.finish(ctx, failed)
}

// start records the execution running and the group as being rebalanced.
func (x *execution) start(ctx context.Context) error {
	now := x.now()
	if err := x.update(ctx, func(r *store.Record) {
		r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
		r.State.StartedAt = timestamppb.New(now)
		r.State.Owner = x.deps.Replica
	}); err != nil {
		return err
	}
	p := x.plan()
	if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED, "", 0,
		map[string]string{"owner": x.deps.Replica, "strategy": p.GetStrategy().String()},
		"Execution started on %s: %d nodes, %s", x.deps.Replica, p.GetTotalNodes(), p.GetStrategy()); err != nil {
		return err
	}
	return x.updateGroup(ctx)
}

// runToEnd runs the batches; on a failure it rolls back when the plan says
// so, and in every case records an honest final status.
func (x *execution) runToEnd(ctx context.Context) error {
	err := x.runBatches(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, errInterrupted) {
		if x.control().Cancel {
			return x.cancelToEnd(ctx)
		}
		return x.pause(ctx)
	}
	var closed *windowClosed
	if errors.As(err, &closed) {
		return x.pauseForWindow(ctx, closed.refusal)
	}
	if err == nil {
		return x.finish(ctx, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED)
	}
	x.deps.Logger.Warn("execution failed", "execution", x.snapshot().GetExecutionId(), "error", err)
	return x.afterFailure(ctx)
}

// afterFailure is what follows a failure: the rollback, when the plan
// rolls back by itself or a health gate failed (here, or by the rollback
// role), else FAILED with the work in place.
func (x *execution) afterFailure(ctx context.Context) error {
	var rolls bool
	x.view(func(r *store.Record) { rolls = rollsBack(r) })
	if !rolls {
		return x.finish(ctx, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED)
	}
	if !x.deps.Roles.Rollback {
		return x.handOverRollback(ctx)
	}
	return x.rollbackToEnd(ctx)
}

func (x *execution) rollbackToEnd(ctx context.Context) error {
	err := x.rollback(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return x.retryRollbackLater(ctx, err)
	}
	if x.control().Cancel {
		return x.finish(ctx, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED)
	}
	return x.finish(ctx, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK)
}

// runOrHandOff runs an execution this replica just took (accepted,
// approved, resumed, cancelled or rolled back on an operator's call) when
// its roles cover what the execution needs next, and otherwise releases
// its lease: a replica with that role claims it at its next scan. The
// caller reserved its ID.
func (e *Executor) runOrHandOff(ctx context.Context, x *execution) error {
	var mine bool
	x.view(func(r *store.Record) { mine = e.takes(r) })
	if mine {
		e.launch(x.rec, "")
		return nil
	}
	defer e.unreserve(x.id())
	e.deps.Logger.Info("execution left to a replica with the role it needs", "execution", x.id(), "status", x.snapshot().GetStatus().String())
	return x.release(ctx)
}

// launch runs a claimed execution in the background, bounded by the
// executor's life and by its lease (the heartbeat renews it; losing it
// ends the run). The caller reserved its ID.
func (e *Executor) launch(rec *store.Record, previousOwner string) {
	id := rec.State.GetExecutionId()
	e.wg.Go(func() {
		defer e.unreserve(id)
		ctx, stop := context.WithCancelCause(e.ctx)
		defer stop(nil)
		x := newExecution(&e.deps, rec, stop)
		go x.heartbeat(ctx)
		err := x.drive(ctx, previousOwner)
		if cause := context.Cause(ctx); errors.Is(cause, errLeaseLost) {
			e.deps.Logger.Warn("execution left to its new owner", "execution", id, "error", fmt.Sprint(err))
			return
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			e.deps.Logger.Error("execution stopped", "execution", id, "error", fmt.Sprint(err))
		}
		if s := x.snapshot(); s.GetStatus() == paused && s.GetPauseReason() == rebalancerv1.PauseReason_PAUSE_REASON_WINDOW_CLOSED {
			e.wakeAt(id, s.GetResumeAt().AsTime())
		}
	})
}
