package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// StateError: the call does not apply to the execution in its status.
type StateError struct {
	Status rebalancerv1.ExecutionStatus
	Action string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("cannot %s an execution that is %s", e.Action, statusName(e.Status))
}

// AsStateError returns the StateError in err's chain, if any.
func AsStateError(err error) (*StateError, bool) {
	var se *StateError
	ok := errors.As(err, &se)
	return se, ok
}

// ErrBusy: another replica is taking the same execution right now.
var ErrBusy = errors.New("the execution is being changed by another call; retry")

type status = rebalancerv1.ExecutionStatus

const (
	awaitingApproval = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL
	pending          = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PENDING
	running          = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
	paused           = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED
	rollingBack      = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLING_BACK
	failed           = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED
)

// request writes an operator's request into the record for its owner to
// act on at the next step boundary, retrying over concurrent writes.
func (e *Executor) request(ctx context.Context, id, action string, allowed []status, fn func(r *store.Record)) (*rebalancerv1.ExecutionState, error) {
	for {
		rec, err := e.getIn(ctx, id, action, allowed)
		if err != nil {
			return nil, err
		}
		fn(rec)
		saved, err := e.deps.Store.Update(ctx, rec)
		if errors.Is(err, store.ErrConflict) {
			continue // the owner wrote meanwhile: read again
		}
		if err != nil {
			return nil, err
		}
		return saved.State, nil
	}
}

// takeOver claims an execution nobody runs (awaiting approval, paused,
// failed), once check (nil: none) passes on the latest record, applies
// change, says so (say) and runs it here. A check
// that fails is the answer, and nothing is written.
func (e *Executor) takeOver(ctx context.Context, id, action string, allowed []status, check func(context.Context, *store.Record) error,
	change func(r *store.Record), say announcement) (*rebalancerv1.ExecutionState, error) {
	if _, err := e.getIn(ctx, id, action, allowed); err != nil {
		return nil, err
	}
	if err := e.reserveAfterLocalRun(ctx, id); err != nil {
		return nil, err
	}
	// Read again: the local run that just ended wrote its last words (a
	// pause releases the lease after saying PAUSED), and a claim over the
	// earlier read would conflict with them.
	rec, err := e.getIn(ctx, id, action, allowed)
	if err == nil && check != nil {
		err = check(ctx, rec)
	}
	if err != nil {
		e.unreserve(id)
		return nil, err
	}
	claimed, err := e.claim(ctx, rec)
	if err != nil {
		e.unreserve(id)
		if errors.Is(err, errLeaseHeld) || errors.Is(err, store.ErrConflict) {
			return nil, ErrBusy
		}
		return nil, err
	}
	x := newExecution(&e.deps, claimed, nil)
	err = x.update(ctx, change)
	if err == nil && say.kind != rebalancerv1.EventKind_EVENT_KIND_UNSPECIFIED {
		err = x.emitf(ctx, say.kind, "", 0, say.details, "%s", say.message)
	}
	if err != nil {
		e.unreserve(id)
		return nil, err
	}
	st := x.snapshot()
	return st, e.runOrHandOff(ctx, x)
}

// announcement is the event a takeOver says its change with; the zero
// value says nothing.
type announcement struct {
	kind    rebalancerv1.EventKind
	message string
	details map[string]string
}

// getIn reads an execution whose status must be one of allowed.
func (e *Executor) getIn(ctx context.Context, id, action string, allowed []status) (*store.Record, error) {
	rec, err := e.deps.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(allowed, rec.State.GetStatus()) {
		return nil, &StateError{Status: rec.State.GetStatus(), Action: action}
	}
	return rec, nil
}

func statusName(s status) string {
	return s.String()[len("EXECUTION_STATUS_"):]
}
