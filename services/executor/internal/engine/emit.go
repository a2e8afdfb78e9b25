package engine

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// emitMarked is emit for an event that must go out once per execution
// (a batch started, a batch completed): mark, the change to the record
// saying the event's fact happened, is persisted in the same write as the
// event's sequence and the event itself (as the record's last event),
// then the event is published. One write makes the mark and the event
// inseparable across a crash:
//   - before the write: neither is stored; the resumed owner finds no
//     mark and emits the event, once;
//   - between the write and the publish: the mark says "emitted", so the
//     resumed owner does not emit again, and the event is the record's
//     last event, which every owner republishes first thing (drive calls
//     republishLast) under its stored sequence, so JetStream drops it if
//     it did get out.
//
// The lock is held through the publish, as emit does, so no other event
// becomes the last one before this one is out.
//
// Two writes would not do: marking first then emitting loses the event in
// a crash between them (the mark stops the re-emit, and the last event is
// an older one); emitting first then marking emits it twice.
func (x *execution) emitMarked(ctx context.Context, e event, mark func(r *store.Record)) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	ev := x.nextEventLocked(e)
	data, err := progress.Encode(ev)
	if err != nil {
		return err
	}
	if err := x.updateLocked(ctx, func(r *store.Record) {
		mark(r)
		r.State.LastEventSequence, r.LastEvent = ev.Sequence, data
	}); err != nil {
		return err
	}
	x.deps.Logger.Info(e.message, "execution", ev.GetExecutionId(), "event", e.kind.String(), "seq", ev.Sequence)
	return x.publish(ctx, ev)
}

// nextEventLocked builds e as the execution's next event;
// x.mu is held.
func (x *execution) nextEventLocked(e event) *rebalancerv1.ExecutionEvent {
	s := x.rec.State
	return &rebalancerv1.ExecutionEvent{
		ExecutionId: s.GetExecutionId(), PlanId: s.GetPlanId(), NodeGroup: s.GetNodeGroup(),
		Namespace: s.GetNamespace(), Sequence: s.GetLastEventSequence() + 1, Time: timestamppb.New(x.now()),
		Kind: e.kind, NodeName: e.node, BatchNumber: e.batch, Message: e.message,
		ProgressPercent: s.GetProgressPercent(), Details: e.details,
	}
}
