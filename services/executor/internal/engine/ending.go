package engine

import (
	"context"
	"errors"
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// finishTail does what follows the write that made the execution final
// (finish), from where a previous owner left it (store.Ending): the
// SAVINGS_VERIFIED event, the NodeGroup's status, the metrics, the final
// event, then the lease given up and the tail marked done. Each event is
// stored with the fact that it went out (emitOnce), so a resumed tail
// emits it once; the NodeGroup write is idempotent. A NodeGroup write that
// fails leaves the tail pending, lease released: the next scan tries it
// again.
func (x *execution) finishTail(ctx context.Context) error {
	ending := x.ending()
	if ending == nil {
		ending = &store.Ending{} // a record written before the tail was marked
	}
	s := x.snapshot()
	status, result := s.GetStatus(), s.GetResult()
	if !ending.SavingsAnnounced {
		if err := x.emitOnce(ctx, savingsEvent(result), func(r *store.Record) { r.Book.Ending.SavingsAnnounced = true }); err != nil {
			return err
		}
	}
	groupErr := x.endGroup(ctx, ending.Announced)
	if !ending.Announced {
		// Counted by the run that announces the end: a process killed
		// before took its counters with it.
		x.countFinal(status, result)
		if err := x.emitOnce(ctx, finalEvent(status, result), func(r *store.Record) { r.Book.Ending.Announced = true }); err != nil {
			return errors.Join(groupErr, err)
		}
	}
	// Released, so an on-demand rollback of a failed execution need not
	// wait for the lease to run out.
	return errors.Join(groupErr, x.update(ctx, func(r *store.Record) {
		if groupErr == nil {
			r.Book.Ending = nil
		}
		r.Lease = store.Lease{}
	}))
}

// endGroup writes the NodeGroup's final status. After the final event is
// out it writes it without its NODE_GROUP_UPDATED event: nothing follows
// the final event in the stream.
func (x *execution) endGroup(ctx context.Context, announced bool) error {
	if announced {
		return x.writeGroup(ctx)
	}
	return x.updateGroup(ctx)
}

func savingsEvent(result *rebalancerv1.RebalanceResult) nodestep.Event {
	return nodestep.Event{Kind: rebalancerv1.EventKind_EVENT_KIND_SAVINGS_VERIFIED, Message: fmt.Sprintf(
		"Realized monthly savings from the offerings now running: %d cents", result.GetRealizedMonthlySavingsCents())}
}

func finalEvent(status rebalancerv1.ExecutionStatus, result *rebalancerv1.RebalanceResult) nodestep.Event {
	return nodestep.Event{Kind: finalKind(status), Details: map[string]string{"status": status.String()}, Message: fmt.Sprintf(
		"Execution ended %s: %d of %d nodes replaced, %d failed", reasonOf(status),
		result.GetNodesReplaced(), result.GetNodesTotal(), result.GetNodesFailed())}
}

// resumeEnding finishes the end's tail of a final execution, if pending.
func (x *execution) resumeEnding(ctx context.Context) error {
	if x.ending() == nil {
		return nil
	}
	return x.finishTail(ctx)
}

// ending is the pending tail of the execution's end, nil if none.
func (x *execution) ending() *store.Ending {
	var e *store.Ending
	x.view(func(r *store.Record) {
		if r.Book.Ending != nil {
			c := *r.Book.Ending
			e = &c
		}
	})
	return e
}

// finalAnnounced reports whether the final event is stored: nothing may
// be emitted after it.
func (x *execution) finalAnnounced() bool {
	if !isFinal(x.snapshot().GetStatus()) {
		return false
	}
	e := x.ending()
	return e == nil || e.Announced
}
