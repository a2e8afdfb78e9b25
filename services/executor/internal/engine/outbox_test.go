package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// sequences is what was published, in the order it was.
func (e *events) sequences() []uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []uint64
	for _, ev := range e.list {
		out = append(out, ev.GetSequence())
	}
	return out
}

// upTo is 1..n.
func upTo(n uint64) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	return out
}

func nodeEvent(i int) nodestep.Event {
	return nodestep.Event{Kind: rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING, Node: fmt.Sprintf("old-%d", i), Message: "step"}
}

// lastSequence is the stored record's last event sequence.
func lastSequence(t *testing.T, x *execution) uint64 {
	t.Helper()
	rec, err := x.deps.Store.Get(t.Context(), "exec-1")
	require.NoError(t, err)
	return rec.State.GetLastEventSequence()
}

// gatedPublisher hangs every publish until open is closed (a NATS that
// does not answer), then hands it to events; entered says a publish is
// waiting.
func gatedPublisher(to *events, open <-chan struct{}, entered chan<- struct{}) publisherFunc {
	return func(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error {
		select {
		case entered <- struct{}{}:
		default:
		}
		select {
		case <-open:
		case <-ctx.Done():
			return ctx.Err()
		}
		return to.Publish(ctx, ev)
	}
}

// A replica stores three events and dies before publishing any (its NATS
// hung): the next owner publishes all three, in order, before anything
// else, and its next writes drop them from the outbox once out.
func TestOutboxRepublishedInOrderAfterACrash(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx, die := context.WithCancel(t.Context())
	defer die()
	deps := *u.x.deps
	deps.Events = gatedPublisher(u.events, make(chan struct{}), make(chan struct{}, 1))
	var rec *store.Record
	u.x.view(func(r *store.Record) { rec = r.Clone() })
	first := newExecution(&deps, rec, nil)
	var lanes sync.WaitGroup
	for i := range 3 {
		lanes.Go(func() { _ = first.emit(ctx, nodeEvent(i)) })
	}
	require.Eventually(t, func() bool { return lastSequence(t, u.x) == 3 }, 5*time.Second, time.Millisecond)
	die()
	lanes.Wait()
	require.Empty(t, u.events.sequences(), "nothing got out")

	rec, err := u.x.deps.Store.Get(t.Context(), "exec-1")
	require.NoError(t, err)
	require.Len(t, rec.Outbox, 3, "the outbox holds every event stored and not published")
	resumed := newExecution(u.x.deps, rec, nil)
	require.NoError(t, resumed.republishOutbox(t.Context()))
	require.Equal(t, upTo(3), u.events.sequences(), "republished in order, none lost")

	require.NoError(t, resumed.emit(t.Context(), nodeEvent(9)))
	require.Equal(t, upTo(4), u.events.sequences())
	require.NoError(t, resumed.update(t.Context(), func(*store.Record) {}))
	rec, err = u.x.deps.Store.Get(t.Context(), "exec-1")
	require.NoError(t, err)
	require.Empty(t, rec.Outbox, "published events leave the outbox with the next write")
}

// A publish that hangs holds no lock another lane needs: the other lane's
// record writes go through, its event is stored with the next sequence,
// and it goes out after the first, once NATS answers.
func TestPublishDoesNotHoldTheExecutionLock(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	open, entered := make(chan struct{}), make(chan struct{}, 1)
	u.x.deps.Events = gatedPublisher(u.events, open, entered)
	var lanes sync.WaitGroup
	errs := make(chan error, 2)
	lanes.Go(func() { errs <- u.x.emit(t.Context(), nodeEvent(0)) })
	<-entered // lane 0's publish hangs

	wrote := make(chan error, 1)
	go func() {
		wrote <- u.x.update(t.Context(), func(r *store.Record) { r.Book.NodeBook("old-0").ProvisionAttempts = 1 })
	}()
	select {
	case err := <-wrote:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("a record write waited for a publish")
	}
	lanes.Go(func() { errs <- u.x.emit(t.Context(), nodeEvent(1)) })
	require.Eventually(t, func() bool { return lastSequence(t, u.x) == 2 }, 5*time.Second, time.Millisecond,
		"another lane's event is stored while the first publish hangs")
	require.Empty(t, u.events.sequences())

	close(open)
	lanes.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, upTo(2), u.events.sequences())
}

// Lanes emitting at once: the stream receives every sequence once, in
// order.
func TestConcurrentEmittersPublishInSequenceOrder(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	var lanes sync.WaitGroup
	for i := range 8 {
		lanes.Go(func() {
			for range 20 {
				require.NoError(t, u.x.emit(t.Context(), nodeEvent(i)))
			}
		})
	}
	lanes.Wait()
	require.Equal(t, upTo(160), u.events.sequences())
}

// While NATS hangs, no more than maxOutbox events wait in the record: the
// next emitter waits for them to go out before it adds its own.
func TestOutboxIsBounded(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	open := make(chan struct{})
	u.x.deps.Events = gatedPublisher(u.events, open, make(chan struct{}, 1))
	var lanes sync.WaitGroup
	for i := range maxOutbox + 6 {
		lanes.Go(func() { require.NoError(t, u.x.emit(t.Context(), nodeEvent(i))) })
	}
	require.Eventually(t, func() bool { return lastSequence(t, u.x) == maxOutbox }, 5*time.Second, time.Millisecond)
	require.Never(t, func() bool { return lastSequence(t, u.x) > maxOutbox }, 100*time.Millisecond, 5*time.Millisecond)
	close(open)
	lanes.Wait()
	require.Equal(t, upTo(maxOutbox+6), u.events.sequences())
}
