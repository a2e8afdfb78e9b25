package engine

import (
	"context"
	"errors"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// errInterrupted: an operator asked to pause or cancel; the node stopped
// between two steps, with none half-done.
var errInterrupted = errors.New("interrupted at a step boundary")

// control is the operator's request as last read; the owner sees a new
// one at its next write (the request's write makes it conflict and
// re-read), at the latest at the next lease renewal.
func (x *execution) control() store.Control {
	var c store.Control
	x.view(func(r *store.Record) { c = r.Control })
	return c
}

func (x *execution) interruptRequested() bool {
	c := x.control()
	return c.Pause || c.Cancel
}

// pause records PAUSED by an operator, says so and gives the lease up:
// ResumeExecution on any replica continues from here.
func (x *execution) pause(ctx context.Context) error {
	reason := x.control().Reason
	message := "Paused at a step boundary by an operator: " + reason
	if err := x.update(ctx, func(r *store.Record) {
		r.State.Status, r.Control = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED, store.Control{}
		r.State.PauseReason, r.State.ResumeAt = rebalancerv1.PauseReason_PAUSE_REASON_OPERATOR, nil
		r.State.StatusMessage = message
	}); err != nil {
		return err
	}
	if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED, "", 0,
		map[string]string{"reason": reason, "pause_reason": "OPERATOR"}, "%s", message); err != nil {
		return err
	}
	return x.release(ctx)
}

// cancelToEnd says the execution is cancelled, rolls back what was done
// and ends CANCELLED. A replica taking a cancelled rollback over resumes
// it without a second EXECUTION_CANCELLED.
func (x *execution) cancelToEnd(ctx context.Context) error {
	if x.snapshot().GetStatus() != rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLING_BACK {
		reason := x.control().Reason
		if err := x.update(ctx, func(r *store.Record) { r.State.StatusMessage = "Cancelled by an operator: " + reason }); err != nil {
			return err
		}
		if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_CANCELLED, "", 0,
			map[string]string{"reason": x.control().Reason}, "Cancelled: %s; rolling back", x.control().Reason); err != nil {
			return err
		}
	}
	return x.rollbackToEnd(ctx)
}

// handOverRollback leaves a failed execution's rollback to the rollback
// role: the failure is recorded (the failure events are out), and one
// write says ROLLING_BACK and leases the execution to the rollback handler
// (handoverOwner), so the rollback replica that receives the failure event
// claims it, or any rollback replica's scan once that lease expires; the
// lease makes sure exactly one carries it out. One write, because
// ROLLING_BACK under a replica's live lease tells the handler that
// replica rolls back itself.
func (x *execution) handOverRollback(ctx context.Context) error {
	expires := x.now().Add(x.deps.LeaseTTL)
	if err := x.update(ctx, func(r *store.Record) {
		r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLING_BACK
		r.Lease = store.Lease{Owner: handoverOwner, Expires: expires}
	}); err != nil {
		return err
	}
	x.deps.Logger.Info("rollback handed over to the rollback role", "execution", x.id())
	return nil
}
