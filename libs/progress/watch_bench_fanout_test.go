package progress_test

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
)

// fanOutBuffer is how many events a slow watcher may fall behind the shared
// consumer before it holds the others up.
const fanOutBuffer = 1024

// watchShared runs one progress.Watch for the execution and hands each event
// to every watcher's own goroutine.
func (r *watchRun) watchShared(ctx context.Context, b *testing.B, js jetstream.JetStream) {
	feeds := make([]chan *rebalancerv1.ExecutionEvent, len(r.watchers))
	for i, w := range r.watchers {
		feeds[i] = make(chan *rebalancerv1.ExecutionEvent, fanOutBuffer)
		go func() {
			defer r.done.Done()
			for ev := range feeds[i] {
				_ = w.handle(ev)
			}
		}()
	}
	go func() {
		defer closeAll(feeds)
		err := progress.Watch(ctx, js, benchExecution, 0, func(ev *rebalancerv1.ExecutionEvent) error {
			for _, feed := range feeds {
				feed <- ev
			}
			return nil
		})
		if err != nil && ctx.Err() == nil {
			b.Error(err)
		}
	}()
}

func closeAll(feeds []chan *rebalancerv1.ExecutionEvent) {
	for _, feed := range feeds {
		close(feed)
	}
}
