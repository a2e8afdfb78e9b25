package progress_test

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vpsie/node-rebalancer/libs/progress"
)

// watchHub runs hub.Watch for every watcher, each on its own goroutine as
// WatchExecution's gRPC streams are: what the Executor does with a Hub.
func (r *watchRun) watchHub(ctx context.Context, b *testing.B, js jetstream.JetStream) {
	hub := progress.NewHub(js)
	for _, w := range r.watchers {
		go func() {
			defer r.done.Done()
			if err := hub.Watch(ctx, benchExecution, 0, w.handle); err != nil && ctx.Err() == nil {
				b.Error(err)
			}
		}()
	}
}
