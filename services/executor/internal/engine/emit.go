package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
	"k8s.io/apimachinery/pkg/util/wait"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Every event of an execution goes out through emitOnce, the one path:
// its sequence number and the event are persisted in the record, then
// published with a message ID of execution and sequence. Persisting first
// means a crash between the two loses at most the publish of a sequence
// the record knows; republishing it is harmless (JetStream drops the
// duplicate), so no sequence is ever used twice or skipped.

// emit persists and publishes one event.
func (x *execution) emit(ctx context.Context, e nodestep.Event) error {
	return x.emitOnce(ctx, e, func(*store.Record) {})
}

// emitf is emit with a formatted message.
func (x *execution) emitf(ctx context.Context, kind rebalancerv1.EventKind, node string, batch int32,
	details map[string]string, format string, args ...any) error {
	return x.emit(ctx, nodestep.Event{Kind: kind, Node: node, Batch: batch, Message: fmt.Sprintf(format, args...), Details: details})
}

// emitOnce is emit for an event that must go out once per execution (a
// batch started, a batch completed, a Deployment rolled out): fact, the
// change to the record saying the event's fact happened, is persisted in
// the same write as the event's sequence and the event itself (as the
// record's last event), then the event is published. One write makes the
// fact and the event inseparable across a crash:
//   - before the write: neither is stored; the resumed owner finds no
//     fact and emits the event, once;
//   - between the write and the publish: the fact says "emitted", so the
//     resumed owner does not emit again, and the event is the record's
//     last event, which every owner republishes first thing (drive calls
//     republishLast) under its stored sequence, so JetStream drops it if
//     it did get out.
//
// The lock is held through the publish, so no other event becomes the
// last one before this one is out.
//
// Two writes would not do: recording the fact first then emitting loses
// the event in a crash between them (the fact stops the re-emit, and the
// last event is an older one); emitting first then recording emits it
// twice.
func (x *execution) emitOnce(ctx context.Context, e nodestep.Event, fact func(r *store.Record)) error {
	x.count(e.Kind)
	x.mu.Lock()
	defer x.mu.Unlock()
	ev := x.nextEventLocked(e)
	data, err := progress.Encode(ev)
	if err != nil {
		return err
	}
	if err := x.updateLocked(ctx, func(r *store.Record) {
		fact(r)
		r.State.LastEventSequence, r.LastEvent = ev.Sequence, data
	}); err != nil {
		return err
	}
	x.deps.Logger.Info(e.Message, "execution", ev.GetExecutionId(), "event", e.Kind.String(), "seq", ev.Sequence)
	x.deps.Story.Mirror(ev) // issue 19: Kubernetes Events and conditions, queued, never blocking (kubeevents.go)
	return x.publish(ctx, ev)
}

// nextEventLocked builds e as the execution's next event; x.mu is held.
func (x *execution) nextEventLocked(e nodestep.Event) *rebalancerv1.ExecutionEvent {
	s := x.rec.State
	return &rebalancerv1.ExecutionEvent{
		ExecutionId: s.GetExecutionId(), PlanId: s.GetPlanId(), NodeGroup: s.GetNodeGroup(),
		Namespace: s.GetNamespace(), Sequence: s.GetLastEventSequence() + 1, Time: timestamppb.New(x.now()),
		Kind: e.Kind, NodeName: e.Node, BatchNumber: e.Batch, Message: e.Message,
		ProgressPercent: s.GetProgressPercent(), Details: e.Details,
	}
}

// publish stores ev on the stream, retrying; JetStream drops a repeat.
func (x *execution) publish(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error {
	backoff := wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Steps: 6, Cap: 3 * time.Second}
	var lastErr error
	err := wait.ExponentialBackoffWithContext(ctx, backoff, func(ctx context.Context) (bool, error) {
		lastErr = x.deps.Events.Publish(ctx, ev)
		return lastErr == nil, nil
	})
	if err != nil {
		return fmt.Errorf("publish event %d: %w", ev.Sequence, errors.Join(err, lastErr))
	}
	return nil
}

// republishLast publishes the last persisted event again: a replica that
// died between persisting and publishing it left a gap only this fills.
// Its message ID makes the repeat harmless when it was published.
func (x *execution) republishLast(ctx context.Context) error {
	var data []byte
	x.view(func(r *store.Record) { data = r.LastEvent })
	if data == nil {
		return nil
	}
	ev, err := progress.Decode(data)
	if err != nil {
		return err
	}
	return x.publish(ctx, ev)
}
