package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
	"k8s.io/apimachinery/pkg/util/wait"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Every event of an execution goes out through emitOnce, the one path:
// its sequence number and the event are persisted in the record, in its
// outbox, then published (after the execution's lock is released) with a
// message ID of execution and sequence. Persisting first means a crash
// between the two loses at most the publish of sequences the record
// holds; whoever runs the execution next publishes its outbox again, in
// order, first thing (drive calls republishOutbox). A repeat is harmless
// (JetStream drops the duplicate message ID, watchers skip a sequence
// they saw), so no sequence is ever used twice or skipped.

// maxOutbox bounds the events stored but not yet published: an emitter
// that finds that many waits for them to go out before it adds its own.
// Only as many as lanes emit at once are ever pending while NATS answers.
const maxOutbox = 64

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
// the same write as the event's sequence and the event itself (in the
// record's outbox), then the event is published. One write makes the
// fact and the event inseparable across a crash:
//   - before the write: neither is stored; the resumed owner finds no
//     fact and emits the event, once;
//   - between the write and the publish: the fact says "emitted", so the
//     resumed owner does not emit again, and the event is in the outbox,
//     which every owner republishes first thing under its stored
//     sequences, so JetStream drops it if it did get out.
//
// Two writes would not do: recording the fact first then emitting loses
// the event in a crash between them (the fact stops the re-emit, and the
// outbox does not hold it); emitting first then recording emits it twice.
//
// The lock is held for the write only, not for the publish: a slow NATS
// does not stop another lane's steps from being recorded. Events still
// leave in sequence order, one flush at a time (flush). emitOnce returns
// once its event is published.
func (x *execution) emitOnce(ctx context.Context, e nodestep.Event, fact func(r *store.Record)) error {
	x.count(e.Kind)
	for {
		stored, err := x.storeEvent(ctx, e, fact)
		if err != nil {
			return err
		}
		if err := x.flush(ctx); err != nil || stored {
			return err
		}
		// The outbox was full: flushed, try again.
	}
}

// storeEvent writes e as the execution's next event, with fact, into the
// outbox; false, writing nothing, when the outbox holds maxOutbox events
// not yet published.
func (x *execution) storeEvent(ctx context.Context, e nodestep.Event, fact func(r *store.Record)) (bool, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.unpublishedLocked() >= maxOutbox {
		return false, nil
	}
	ev := x.nextEventLocked(e)
	data, err := progress.Encode(ev)
	if err != nil {
		return false, err
	}
	if err := x.updateLocked(ctx, func(r *store.Record) {
		fact(r)
		r.State.LastEventSequence = ev.Sequence
		r.Outbox = append(r.Outbox, store.Outgoing{Seq: ev.Sequence, Event: data})
	}); err != nil {
		return false, err
	}
	x.deps.Logger.Info(e.Message, "execution", ev.GetExecutionId(), "event", e.Kind.String(), "seq", ev.Sequence)
	x.deps.Story.Mirror(ev) // issue 19: Kubernetes Events and conditions, queued, never blocking (kubeevents.go)
	return true, nil
}

// unpublishedLocked counts the outbox's events not known published; x.mu
// is held.
func (x *execution) unpublishedLocked() int {
	n := 0
	for _, o := range x.rec.Outbox {
		if o.Seq > x.published {
			n++
		}
	}
	return n
}

// trimOutboxLocked drops from r's outbox the events this process published:
// every write carries the mark, so marking costs no write of its own. An
// event published but not yet dropped (the process died first) is
// published again by the next owner, harmlessly.
func (x *execution) trimOutboxLocked(r *store.Record) {
	r.Outbox = slices.DeleteFunc(r.Outbox, func(o store.Outgoing) bool { return o.Seq <= x.published })
}

// flush publishes, in sequence order, every event of the outbox not yet
// published by this process, without holding x.mu during a publish. One
// flush at a time (x.pub): a concurrent emitter's flush waits, then finds
// its event out already or publishes it after the earlier ones, so the
// stream receives an execution's events in sequence order.
func (x *execution) flush(ctx context.Context) error {
	x.pub.Lock()
	defer x.pub.Unlock()
	var todo []store.Outgoing
	x.view(func(r *store.Record) {
		for _, o := range r.Outbox {
			if o.Seq > x.published {
				todo = append(todo, o)
			}
		}
	})
	for _, o := range todo {
		ev, err := progress.Decode(o.Event)
		if err != nil {
			return err
		}
		if err := x.publish(ctx, ev); err != nil {
			return err
		}
		x.mu.Lock()
		x.published = max(x.published, o.Seq)
		x.mu.Unlock()
	}
	return nil
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

// republishOutbox publishes the stored outbox again, in order: a replica
// that died between persisting events and publishing them left a gap
// only this fills. Their message IDs make the repeats harmless when they
// were published.
func (x *execution) republishOutbox(ctx context.Context) error {
	return x.flush(ctx)
}
