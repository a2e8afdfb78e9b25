package progress_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
)

// hubWait bounds every wait of the hub's tests for an event or a return.
const hubWait = 10 * time.Second

// countedWatch is progress.Watch on a JetStream, counting the watches it
// opened and those still open.
type countedWatch struct {
	js              jetstream.JetStream
	opened, running atomic.Int32
}

func (c *countedWatch) watch(ctx context.Context, executionID string, fromSequence uint64,
	handle func(*rebalancerv1.ExecutionEvent) error) error {
	c.opened.Add(1)
	c.running.Add(1)
	defer c.running.Add(-1)
	return progress.Watch(ctx, c.js, executionID, fromSequence, handle)
}

// countedHub is a Hub on js keeping bufferSize events per feed, with its
// feeds' and its private watches counted apart.
func countedHub(js jetstream.JetStream, bufferSize int) (hub *progress.Hub, feeds, privates *countedWatch) {
	feeds, privates = &countedWatch{js: js}, &countedWatch{js: js}
	return progress.NewHubOver(feeds.watch, privates.watch, bufferSize), feeds, privates
}

// hubWatch is one Hub.Watch running in the background: the sequences it
// handled, and what it returned.
type hubWatch struct {
	from   uint64
	cancel context.CancelFunc
	mu     sync.Mutex
	got    []uint64
	seen   chan uint64
	done   chan error
}

// startHubWatch runs hub.Watch from a sequence; before, if any, runs ahead
// of each handling and may block it or fail it.
func startHubWatch(t *testing.T, hub *progress.Hub, executionID string, from uint64,
	before func(seq uint64) error) *hubWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	w := &hubWatch{from: from, cancel: cancel, seen: make(chan uint64, 1000), done: make(chan error, 1)}
	go func() {
		w.done <- hub.Watch(ctx, executionID, from, func(ev *rebalancerv1.ExecutionEvent) error {
			if before != nil {
				if err := before(ev.GetSequence()); err != nil {
					return err
				}
			}
			w.mu.Lock()
			w.got = append(w.got, ev.GetSequence())
			w.mu.Unlock()
			w.seen <- ev.GetSequence()
			return nil
		})
	}()
	return w
}

// waitSeen waits until the watch handled seq.
func (w *hubWatch) waitSeen(t *testing.T, seq uint64) {
	t.Helper()
	timeout := time.After(hubWait)
	for {
		select {
		case got := <-w.seen:
			if got >= seq {
				return
			}
		case <-timeout:
			t.Fatalf("watch from %d: no event %d within %s", w.from, seq, hubWait)
		}
	}
}

// result waits for what the watch returned.
func (w *hubWatch) result(t *testing.T) error {
	t.Helper()
	select {
	case err := <-w.done:
		return err
	case <-time.After(hubWait):
		t.Fatalf("watch from %d did not return within %s", w.from, hubWait)
		return nil
	}
}

// requireAll asserts the watch ended after the final event, having handled
// every sequence from its start to last once, in order.
func (w *hubWatch) requireAll(t *testing.T, last uint64) {
	t.Helper()
	require.NoError(t, w.result(t))
	var want []uint64
	for seq := max(w.from, 1); seq <= last; seq++ {
		want = append(want, seq)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	require.Equal(t, want, slices.Clone(w.got), "watch from %d", w.from)
}

func hubEvent(executionID string, seq uint64, kind rebalancerv1.EventKind) *rebalancerv1.ExecutionEvent {
	ev := event(seq, kind)
	ev.ExecutionId = executionID
	return ev
}

// publishEvents publishes events from..to of an execution, none final.
func publishEvents(t *testing.T, js jetstream.JetStream, executionID string, from, to uint64) {
	t.Helper()
	for seq := from; seq <= to; seq++ {
		publishEvent(t, js, hubEvent(executionID, seq, rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED))
	}
}

// publishSeen publishes events from..to of an execution one by one, each
// once w handled it, so w cannot fall behind a small buffer.
func publishSeen(t *testing.T, js jetstream.JetStream, executionID string, from, to uint64, w *hubWatch) {
	t.Helper()
	for seq := from; seq <= to; seq++ {
		publishEvents(t, js, executionID, seq, seq)
		w.waitSeen(t, seq)
	}
}

func publishFinal(t *testing.T, js jetstream.JetStream, executionID string, seq uint64) {
	t.Helper()
	publishEvent(t, js, hubEvent(executionID, seq, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED))
}

func publishEvent(t *testing.T, js jetstream.JetStream, ev *rebalancerv1.ExecutionEvent) {
	t.Helper()
	require.NoError(t, progress.JetStreamPublisher{JS: js}.Publish(t.Context(), ev))
}

// requireStopped asserts the hub stopped every feed: none listed, no
// watch of the server left open.
func requireStopped(t *testing.T, hub *progress.Hub, feeds *countedWatch) {
	t.Helper()
	require.Eventually(t, func() bool { return hub.Feeds() == 0 && feeds.running.Load() == 0 },
		hubWait, 10*time.Millisecond, "feeds left: %d listed, %d watching", hub.Feeds(), feeds.running.Load())
}
