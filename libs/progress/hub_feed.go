package progress

import (
	"context"
	"sync"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// feed is the shared watch of one execution: it keeps the latest events in
// a ring and wakes its watchers as each arrives. An event's position is its
// place in the feed's reading (0 for the first); the ring holds positions
// [oldest, read).
type feed struct {
	executionID string
	cancel      context.CancelFunc
	watchers    int // guarded by Hub.mu: the Watch calls sharing it

	mu         sync.RWMutex
	ring       []*rebalancerv1.ExecutionEvent // position p at ring[p % len]
	read       uint64                         // the events read so far: the next position
	droppedSeq uint64                         // the sequence of the last event the ring dropped
	ended      bool                           // no event comes after those read
	wakes      map[*watcher]struct{}
}

// startFeed opens the shared watch of an execution from its first event,
// so the ring holds its history for watchers joining later. onEnd hears
// when the watch ended: after the final event, on an error, or stopped.
func startFeed(open watchFunc, executionID string, size int, onEnd func(*feed)) *feed {
	ctx, cancel := context.WithCancel(context.Background())
	f := &feed{executionID: executionID, cancel: cancel,
		ring: make([]*rebalancerv1.ExecutionEvent, size), wakes: map[*watcher]struct{}{}}
	go func() {
		defer cancel()
		// An error is not lost: the watchers go on with watches of their
		// own, which meet it again and return it.
		_ = open(ctx, executionID, 0, f.add)
		f.end()
		onEnd(f)
	}()
	return f
}

func (f *feed) add(ev *rebalancerv1.ExecutionEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	slot := f.read % uint64(len(f.ring))
	if f.dropping() {
		f.droppedSeq = f.ring[slot].GetSequence()
	}
	f.ring[slot] = ev
	f.read++
	f.wakeLocked()
	return nil
}

func (f *feed) end() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended = true
	f.wakeLocked()
}

// wakeLocked tells every watcher there is news; a watcher already told has
// not looked yet and will see it too.
func (f *feed) wakeLocked() {
	for w := range f.wakes {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// dropping: the ring is full, the next event replaces the oldest.
func (f *feed) dropping() bool { return f.read >= uint64(len(f.ring)) }

// oldest is the position of the oldest event the ring holds.
func (f *feed) oldest() uint64 { return f.read - min(f.read, uint64(len(f.ring))) }

// attach has w read from the oldest event the ring holds, or reports that
// the ring no longer holds fromSequence (it dropped it or some event after).
func (f *feed) attach(w *watcher, fromSequence uint64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.oldest() > 0 && fromSequence <= f.droppedSeq {
		return false
	}
	w.position = f.oldest()
	f.wakes[w] = struct{}{}
	return true
}

func (f *feed) detach(w *watcher) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.wakes, w)
}

// readState is what a watcher does after taking events.
type readState int

const (
	caughtUp  readState = iota // wait for news
	readMore                   // the batch was full: read again
	leaveFeed                  // fell behind the ring, or the feed ended: watch alone
)

// take appends to batch the events from w's position on, up to its
// capacity, and moves w past them.
func (f *feed) take(w *watcher, batch []*rebalancerv1.ExecutionEvent) ([]*rebalancerv1.ExecutionEvent, readState) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if w.position < f.oldest() {
		return batch, leaveFeed
	}
	n := min(f.read-w.position, uint64(cap(batch)-len(batch)))
	for p := w.position; p < w.position+n; p++ {
		batch = append(batch, f.ring[p%uint64(len(f.ring))])
	}
	w.position += n
	switch {
	case w.position < f.read:
		return batch, readMore
	case f.ended:
		return batch, leaveFeed
	}
	return batch, caughtUp
}
