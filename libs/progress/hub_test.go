package progress_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
)

// Watchers joining at different times, from different sequences, replay
// from the feed's buffer and follow it live: each sees its events once, in
// order, and returns after the final one; they all share one feed.
func TestHubWatchersJoiningLateSeeEveryEventOnceInOrder(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	hub, feeds, privates := countedHub(js, 64)
	publishEvents(t, js, "exec-1", 1, 10)
	early := []*hubWatch{startHubWatch(t, hub, "exec-1", 0, nil), startHubWatch(t, hub, "exec-1", 5, nil)}
	for _, w := range early {
		w.waitSeen(t, 10)
	}
	publishEvents(t, js, "exec-1", 11, 20)
	late := []*hubWatch{startHubWatch(t, hub, "exec-1", 15, nil), startHubWatch(t, hub, "exec-1", 3, nil),
		startHubWatch(t, hub, "exec-1", 21, nil)}
	for _, w := range append(early, late[:2]...) {
		w.waitSeen(t, 20)
	}
	publishEvents(t, js, "exec-1", 21, 29)
	publishFinal(t, js, "exec-1", 30)

	for _, w := range append(early, late...) {
		w.requireAll(t, 30)
	}
	require.EqualValues(t, 1, feeds.opened.Load(), "one feed for the execution")
	require.EqualValues(t, 0, privates.opened.Load(), "the buffer served every late watcher")
	requireStopped(t, hub, feeds)
}

// A watcher starting before the oldest event the feed still holds watches
// alone; one starting within it shares the feed.
func TestHubWatcherStartingBeforeTheBufferWatchesAlone(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	hub, feeds, privates := countedHub(js, 4)
	first := startHubWatch(t, hub, "exec-1", 0, nil)
	publishSeen(t, js, "exec-1", 1, 10, first) // the feed holds 7 to 10
	old := startHubWatch(t, hub, "exec-1", 2, nil)
	recent := startHubWatch(t, hub, "exec-1", 8, nil)
	old.waitSeen(t, 10)
	recent.waitSeen(t, 10)
	publishFinal(t, js, "exec-1", 11)

	for _, w := range []*hubWatch{first, old, recent} {
		w.requireAll(t, 11)
	}
	require.EqualValues(t, 1, feeds.opened.Load())
	require.EqualValues(t, 1, privates.opened.Load(), "only the watcher from 2 watched alone")
	requireStopped(t, hub, feeds)
}

// A watcher stuck in its handler while the feed moves on past its buffer
// does not hold the others up, and goes on alone without a gap.
func TestHubSlowWatcherGoesOnAloneWithoutGaps(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	hub, feeds, privates := countedHub(js, 4)
	release := make(chan struct{})
	slow := startHubWatch(t, hub, "exec-1", 0, func(seq uint64) error {
		if seq == 2 {
			<-release
		}
		return nil
	})
	fast := startHubWatch(t, hub, "exec-1", 0, nil)
	publishSeen(t, js, "exec-1", 1, 20, fast)
	close(release)
	publishFinal(t, js, "exec-1", 21)

	fast.requireAll(t, 21)
	slow.requireAll(t, 21)
	require.EqualValues(t, 1, privates.opened.Load(), "the slow watcher went on alone")
	requireStopped(t, hub, feeds)
}

// The final event ends every watcher and the feed.
func TestHubFinalEventEndsEveryWatcher(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	hub, feeds, _ := countedHub(js, 64)
	var watches []*hubWatch
	for from := range uint64(20) {
		watches = append(watches, startHubWatch(t, hub, "exec-1", from%3, nil))
	}
	publishEvents(t, js, "exec-1", 1, 2)
	publishFinal(t, js, "exec-1", 3)
	for _, w := range watches {
		w.requireAll(t, 3)
	}
	requireStopped(t, hub, feeds)
}

// A watch ends with its context, leaving the others on the feed; the feed
// stops with its last watcher.
func TestHubWatchEndsWithItsContext(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	hub, feeds, _ := countedHub(js, 64)
	leaving := startHubWatch(t, hub, "exec-1", 0, nil)
	staying := startHubWatch(t, hub, "exec-1", 0, nil)
	publishEvents(t, js, "exec-1", 1, 1)
	leaving.waitSeen(t, 1)
	leaving.cancel()
	require.ErrorIs(t, leaving.result(t), context.Canceled)

	publishEvents(t, js, "exec-1", 2, 2)
	staying.waitSeen(t, 2)
	require.Equal(t, 1, hub.Feeds())
	staying.cancel()
	require.ErrorIs(t, staying.result(t), context.Canceled)
	requireStopped(t, hub, feeds)
}

// A watch returns its handler's error; the others go on.
func TestHubWatchReturnsItsHandlersError(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	hub, feeds, _ := countedHub(js, 64)
	errClientGone := errors.New("client gone")
	failing := startHubWatch(t, hub, "exec-1", 0, func(seq uint64) error {
		if seq == 2 {
			return errClientGone
		}
		return nil
	})
	other := startHubWatch(t, hub, "exec-1", 0, nil)
	publishEvents(t, js, "exec-1", 1, 2)
	require.ErrorIs(t, failing.result(t), errClientGone)
	publishFinal(t, js, "exec-1", 3)
	other.requireAll(t, 3)
	requireStopped(t, hub, feeds)
}

// A feed that fails sends its watchers on alone from where they are, and a
// watcher that cannot watch alone either returns why.
func TestHubFeedFailureSendsWatchersOnAlone(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	errFeedLost := errors.New("feed lost")
	privates := &countedWatch{js: js}
	feedLostAt4 := func(ctx context.Context, executionID string, from uint64,
		handle func(*rebalancerv1.ExecutionEvent) error) error {
		return progress.Watch(ctx, js, executionID, from, func(ev *rebalancerv1.ExecutionEvent) error {
			if ev.GetSequence() == 4 {
				return errFeedLost
			}
			return handle(ev)
		})
	}
	hub := progress.NewHubOver(feedLostAt4, privates.watch, 64)
	first := startHubWatch(t, hub, "exec-1", 0, nil)
	second := startHubWatch(t, hub, "exec-1", 2, nil)
	publishEvents(t, js, "exec-1", 1, 6)
	publishFinal(t, js, "exec-1", 7)
	first.requireAll(t, 7)
	second.requireAll(t, 7)
	require.EqualValues(t, 2, privates.opened.Load())

	errNoJetStream := errors.New("no JetStream")
	unavailable := func(context.Context, string, uint64, func(*rebalancerv1.ExecutionEvent) error) error {
		return errNoJetStream
	}
	down := progress.NewHubOver(unavailable, unavailable, 64)
	err := down.Watch(t.Context(), "exec-1", 0, func(*rebalancerv1.ExecutionEvent) error { return nil })
	require.ErrorIs(t, err, errNoJetStream)
}

// Each watched execution has a feed of its own, which stops when its last
// watcher leaves; the execution's next watcher starts another.
func TestHubKeepsOneFeedPerWatchedExecution(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	hub, feeds, _ := countedHub(js, 64)
	one := []*hubWatch{startHubWatch(t, hub, "exec-1", 0, nil), startHubWatch(t, hub, "exec-1", 0, nil)}
	two := startHubWatch(t, hub, "exec-2", 0, nil)
	publishEvents(t, js, "exec-1", 1, 2)
	publishEvents(t, js, "exec-2", 1, 1)
	for _, w := range one {
		w.waitSeen(t, 2)
	}
	two.waitSeen(t, 1)
	require.Equal(t, 2, hub.Feeds())
	require.EqualValues(t, 2, feeds.opened.Load())

	for _, w := range one {
		w.cancel()
		require.ErrorIs(t, w.result(t), context.Canceled)
	}
	require.Eventually(t, func() bool { return hub.Feeds() == 1 && feeds.running.Load() == 1 }, hubWait, 10*time.Millisecond)

	again := startHubWatch(t, hub, "exec-1", 0, nil)
	publishFinal(t, js, "exec-1", 3)
	publishFinal(t, js, "exec-2", 2)
	again.requireAll(t, 3)
	two.requireAll(t, 2)
	require.EqualValues(t, 3, feeds.opened.Load(), "a new feed for the execution watched again")
	requireStopped(t, hub, feeds)
}
