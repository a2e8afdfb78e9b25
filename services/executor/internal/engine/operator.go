package engine

import (
	"context"
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Approve starts an execution held for approval, recording who approved
// it. Errors: ErrNotFound, *StateError, ErrBusy.
func (e *Executor) Approve(ctx context.Context, id, approvedBy string) (*rebalancerv1.ExecutionState, error) {
	return e.takeOver(ctx, id, "approve", []status{awaitingApproval}, func(r *store.Record) {
		r.State.Status, r.State.ApprovedBy = pending, approvedBy
	}, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_APPROVED, fmt.Sprintf("Approved by %s", approvedBy))
}

// Pause asks the owner to stop at the next step boundary (PAUSED once
// every node in flight finished its step). Errors: ErrNotFound, *StateError.
func (e *Executor) Pause(ctx context.Context, id, reason string) (*rebalancerv1.ExecutionState, error) {
	return e.request(ctx, id, "pause", []status{pending, running}, func(r *store.Record) {
		r.Control.Pause, r.Control.Reason = true, reason
	})
}

// Resume continues a paused execution, here. Errors: ErrNotFound,
// *StateError, ErrBusy.
func (e *Executor) Resume(ctx context.Context, id string) (*rebalancerv1.ExecutionState, error) {
	return e.takeOver(ctx, id, "resume", []status{paused}, func(r *store.Record) {
		r.State.Status, r.Control = running, store.Control{}
	}, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED, "Resumed")
}

// Cancel stops an execution and undoes its work: CANCELLED at the end,
// old nodes restored, replacements not yet in service deleted. A running
// execution's owner does it at the next step boundary; one that nobody
// runs is taken here. Errors: ErrNotFound, *StateError, ErrBusy.
func (e *Executor) Cancel(ctx context.Context, id, reason string) (*rebalancerv1.ExecutionState, error) {
	cancel := func(r *store.Record) { r.Control.Cancel, r.Control.Reason = true, reason }
	st, err := e.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if s := st.GetStatus(); s == awaitingApproval || s == paused {
		return e.takeOver(ctx, id, "cancel", []status{awaitingApproval, paused}, cancel, 0, "")
	}
	return e.request(ctx, id, "cancel", []status{pending, running}, cancel)
}

// Rollback undoes a failed or paused execution on demand (a plan whose
// rollback is not automatic ends FAILED with its work in place).
// Errors: ErrNotFound, *StateError, ErrBusy.
func (e *Executor) Rollback(ctx context.Context, id, reason string) (*rebalancerv1.ExecutionState, error) {
	return e.takeOver(ctx, id, "roll back", []status{failed, paused}, func(r *store.Record) {
		r.State.Status, r.Control = rollingBack, store.Control{Reason: reason}
	}, 0, "")
}
