package engine

import (
	"context"
	"fmt"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// A batch's start, completion and failure are each said once per
// execution, however often it is resumed: each is a fact recorded in the
// same write as its event (emitOnce).

// startBatch says the batch started, unless an earlier run of this
// execution (before a pause or a takeover) already did: the fact is
// recorded with the event (see emitOnce), so a recorded start means the
// event is out or is in the record's outbox, republished at takeover.
func (x *execution) startBatch(ctx context.Context, b *rebalancerv1.NodeBatch) error {
	number := b.GetBatchNumber()
	p := x.plan()
	x.deps.Metrics.CurrentBatch.WithLabelValues(p.GetNamespace(), p.GetNodeGroup()).Set(float64(number))
	var started bool
	x.view(func(r *store.Record) { started = r.Book.BatchStarted(number) })
	if started {
		return nil
	}
	now := x.now()
	e := nodestep.Event{Kind: rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED, Batch: number,
		Details: map[string]string{"phase": b.GetPhase().String()},
		Message: fmt.Sprintf("Batch %d (%s) of %d nodes started", number, phaseName(b.GetPhase()), len(b.GetNodes()))}
	return x.emitOnce(ctx, e, func(r *store.Record) {
		r.State.CurrentBatch = max(r.State.CurrentBatch, number)
		r.Book.RecordBatchStarted(number, now)
	})
}

// completeBatch records the batch's completion (from which its dependents'
// soak time counts) with its BATCH_COMPLETED event, in one write: a resume
// skips a batch recorded complete, and must not lose the event by doing so.
func (x *execution) completeBatch(ctx context.Context, number int32) error {
	now := x.now()
	e := nodestep.Event{Kind: rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED, Batch: number,
		Message: fmt.Sprintf("Batch %d completed", number)}
	if err := x.emitOnce(ctx, e, func(r *store.Record) { r.Book.RecordBatchDone(number, now) }); err != nil {
		return err
	}
	x.setProgressMetric()
	return nil
}

// failBatch says the batch failed, once per execution: a run resumed
// after its owner died between the failure and its outcome fails the batch
// again, and the rollback handler must not see a second failure.
func (x *execution) failBatch(ctx context.Context, number int32, cause error) error {
	var said bool
	x.view(func(r *store.Record) { said = r.Book.BatchFailed(number) })
	if said {
		return nil
	}
	now := x.now()
	e := nodestep.Event{Kind: rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED, Batch: number,
		Message: fmt.Sprintf("Batch %d failed: %v", number, cause)}
	return x.emitOnce(ctx, e, func(r *store.Record) { r.Book.RecordBatchFailed(number, now) })
}

func (x *execution) setProgressMetric() {
	p := x.plan()
	x.deps.Metrics.Progress.WithLabelValues(p.GetNamespace(), p.GetNodeGroup()).Set(float64(x.snapshot().GetProgressPercent()))
}

func phaseName(p rebalancerv1.BatchPhase) string {
	return strings.ToLower(strings.TrimPrefix(p.String(), "BATCH_PHASE_"))
}
