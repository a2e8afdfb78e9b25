package engine

import (
	"context"
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Approve starts an execution held for approval, recording who approved
// it, once its live guards pass (a start: the plan's age and the
// schedule too) and, when the group asks for a second person, the
// approver is not the requester; refused, it stays awaiting approval,
// untouched. approvedBy is the caller's authenticated identity.
// Errors: ErrNotFound, *StateError, ErrBusy, *accept.Refusal.
func (e *Executor) Approve(ctx context.Context, id, approvedBy string) (*rebalancerv1.ExecutionState, error) {
	guard := func(ctx context.Context, rec *store.Record) error {
		if err := e.deps.checker.Approver(ctx, rec.Plan, rec.RequestedBy, approvedBy); err != nil {
			return err
		}
		return e.operatorGuard(ctx, rec)
	}
	return e.takeOver(ctx, id, "approve", []status{awaitingApproval}, guard, func(r *store.Record) {
		r.State.Status, r.State.ApprovedBy = pending, approvedBy
	}, announcement{kind: rebalancerv1.EventKind_EVENT_KIND_EXECUTION_APPROVED, message: fmt.Sprintf("Approved by %s", approvedBy),
		details: map[string]string{"approved_by": approvedBy}})
}

// Pause asks the owner to stop at the next step boundary (PAUSED once
// every node in flight finished its step). Errors: ErrNotFound, *StateError.
func (e *Executor) Pause(ctx context.Context, id, reason string) (*rebalancerv1.ExecutionState, error) {
	return e.request(ctx, id, "pause", []status{pending, running}, func(r *store.Record) {
		r.Control.Pause, r.Control.Reason = true, reason
	})
}

// Resume continues a paused execution (by an operator, or by itself for
// the schedule), here, once its live guards pass (the schedule too);
// refused, it stays paused, untouched. Errors: ErrNotFound, *StateError,
// ErrBusy, *accept.Refusal.
func (e *Executor) Resume(ctx context.Context, id string) (*rebalancerv1.ExecutionState, error) {
	return e.takeOver(ctx, id, "resume", []status{paused}, e.operatorGuard, clearPause,
		announcement{kind: rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED, message: "Resumed by an operator",
			details: map[string]string{"resumed_by": "OPERATOR"}})
}

// Cancel stops an execution and undoes its work: CANCELLED at the end,
// old nodes restored, replacements not yet in service deleted. A running
// execution's owner does it at the next step boundary; one that nobody
// runs is taken here. A rollback that failed and waits for its next
// attempt is given up instead: FAILED as it stands (rollbackretry.go).
// Errors: ErrNotFound, *StateError, ErrBusy.
func (e *Executor) Cancel(ctx context.Context, id, reason string) (*rebalancerv1.ExecutionState, error) {
	cancel := func(r *store.Record) { r.Control.Cancel, r.Control.Reason = true, reason }
	st, err := e.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.GetStatus() == rollingBack {
		return e.giveUpRollback(ctx, id, reason)
	}
	if s := st.GetStatus(); s == awaitingApproval || s == paused {
		return e.takeOver(ctx, id, "cancel", []status{awaitingApproval, paused}, nil, cancel, announcement{})
	}
	return e.request(ctx, id, "cancel", []status{pending, running}, cancel)
}

// Rollback undoes a failed or paused execution on demand (a plan whose
// rollback is not automatic ends FAILED with its work in place).
// Errors: ErrNotFound, *StateError, ErrBusy.
func (e *Executor) Rollback(ctx context.Context, id, reason string) (*rebalancerv1.ExecutionState, error) {
	return e.takeOver(ctx, id, "roll back", []status{failed, paused}, nil, func(r *store.Record) {
		r.State.Status, r.Control = rollingBack, store.Control{Reason: reason}
	}, announcement{})
}
