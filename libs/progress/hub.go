package progress

import (
	"context"
	"errors"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// hubBufferSize is how many of an execution's latest events its feed keeps:
// a watcher joining later replays from them, and a watcher may fall this far
// behind before it leaves for a watch of its own. Four seconds at 1,000
// events a second, a few megabytes at most.
const hubBufferSize = 4096

// watchFunc is Watch on some JetStream: what a Hub opens its watches with.
type watchFunc func(ctx context.Context, executionID string, fromSequence uint64,
	handle func(*rebalancerv1.ExecutionEvent) error) error

// Hub shares one watch of an execution (one ordered consumer, a feed) among
// everyone in the process watching it: a hundred watchers cost the server
// one consumer instead of a hundred, and an event reaches them all in
// milliseconds instead of the tens of milliseconds a hundred consumers take.
// A feed starts with an execution's first watcher and stops with its last,
// or after the final event.
//
// Correctness never depends on the hub keeping up: a watcher whose
// fromSequence is older than the feed still holds, who falls further behind
// than the feed keeps (a slow client), or whose feed fails, goes on with a
// watch of its own from the sequence it expects next, so it sees what Watch
// would have shown it.
//
// The fan-out is written by hand: no library fits. JetStream's ordered
// consumer is what makes delivery ordered and gap-free, and sharing it takes
// a buffer that replays from a per-execution sequence and hands a slow
// reader over to its own consumer at an exact sequence; the pub/sub and
// broadcast packages around drop or block for slow readers and know nothing
// of the sequence a hand-over needs.
type Hub struct {
	openFeed    watchFunc // a feed's shared watch
	openPrivate watchFunc // a watcher's own watch, when the feed cannot serve it
	bufferSize  int

	mu    sync.Mutex
	feeds map[string]*feed // by execution ID, while watched
}

// NewHub returns a Hub watching executions on js; one per process is enough.
func NewHub(js jetstream.JetStream) *Hub {
	watch := func(ctx context.Context, executionID string, fromSequence uint64,
		handle func(*rebalancerv1.ExecutionEvent) error) error {
		return Watch(ctx, js, executionID, fromSequence, handle)
	}
	return newHub(watch, watch, hubBufferSize)
}

func newHub(openFeed, openPrivate watchFunc, bufferSize int) *Hub {
	return &Hub{openFeed: openFeed, openPrivate: openPrivate, bufferSize: bufferSize, feeds: map[string]*feed{}}
}

// Watch is Watch through the hub, with the same contract: handle sees the
// execution's events in sequence order from fromSequence (0 or 1: from the
// first), never one twice, none missing; Watch returns nil after the final
// event, handle's error, or the context's error. Watchers share the events
// handle is given, so handle must not modify them.
func (h *Hub) Watch(ctx context.Context, executionID string, fromSequence uint64,
	handle func(*rebalancerv1.ExecutionEvent) error) error {
	w := h.join(executionID, fromSequence)
	err := w.follow(ctx, handle)
	h.leave(w)
	if !errors.Is(err, errLeftFeed) {
		return err
	}
	return h.openPrivate(ctx, executionID, w.next, handle)
}

// join attaches a watcher to the execution's feed, starting the feed if the
// execution has none.
func (h *Hub) join(executionID string, fromSequence uint64) *watcher {
	h.mu.Lock()
	f := h.feeds[executionID]
	if f == nil {
		f = startFeed(h.openFeed, executionID, h.bufferSize, h.forget)
		h.feeds[executionID] = f
	}
	f.watchers++
	h.mu.Unlock()
	return newWatcher(f, fromSequence)
}

// leave detaches a watcher from its feed, stopping the feed if it was the
// last one.
func (h *Hub) leave(w *watcher) {
	w.feed.detach(w)
	h.mu.Lock()
	defer h.mu.Unlock()
	w.feed.watchers--
	if w.feed.watchers == 0 {
		h.forgetLocked(w.feed)
		w.feed.cancel()
	}
}

// forget drops an ended feed, so the execution's next watcher starts another.
func (h *Hub) forget(f *feed) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.forgetLocked(f)
}

func (h *Hub) forgetLocked(f *feed) {
	if h.feeds[f.executionID] == f {
		delete(h.feeds, f.executionID)
	}
}
