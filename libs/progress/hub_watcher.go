package progress

import (
	"context"
	"errors"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// errLeftFeed: the feed cannot serve the watcher any further (it never held
// its start, the watcher fell behind it, or it ended before the watcher's
// final event); the watcher goes on alone from its next sequence.
var errLeftFeed = errors.New("left the shared feed")

// hubBatch is how many events a watcher takes from its feed at a time: it
// handles them without holding up the feed.
const hubBatch = 256

// watcher is one Hub.Watch call reading its feed.
type watcher struct {
	feed     *feed
	position uint64        // the feed position it reads next
	next     uint64        // the sequence it hands on next; lower ones were handled
	wake     chan struct{} // the feed has news: events, or its end
	attached bool          // the feed's ring held its start when it joined
	batch    []*rebalancerv1.ExecutionEvent
}

func newWatcher(f *feed, fromSequence uint64) *watcher {
	w := &watcher{feed: f, next: fromSequence, wake: make(chan struct{}, 1),
		batch: make([]*rebalancerv1.ExecutionEvent, 0, hubBatch)}
	w.attached = f.attach(w, fromSequence)
	return w
}

// follow hands the feed's events to handle until the final event (nil),
// handle's error, ctx's end, or errLeftFeed.
func (w *watcher) follow(ctx context.Context, handle func(*rebalancerv1.ExecutionEvent) error) error {
	if !w.attached {
		return errLeftFeed
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		events, state := w.feed.take(w, w.batch[:0])
		for _, ev := range events {
			if done, err := w.deliver(ev, handle); done {
				return err
			}
		}
		clear(events) // hold no events the ring has dropped
		switch state {
		case leaveFeed:
			return errLeftFeed
		case caughtUp:
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-w.wake:
			}
		case readMore:
		}
	}
}

// deliver hands ev to handle unless it was handled already (the ring
// replays from before the watcher's start); done after the final event or
// an error.
func (w *watcher) deliver(ev *rebalancerv1.ExecutionEvent, handle func(*rebalancerv1.ExecutionEvent) error) (bool, error) {
	if ev.GetSequence() < w.next {
		return false, nil
	}
	if err := handle(ev); err != nil {
		return true, err
	}
	w.next = ev.GetSequence() + 1
	return Final(ev), nil
}
