package chaos

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
)

// connectNATS connects to the run's nats-server for good: the client
// reconnects however often the server restarts.
func connectNATS(url string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// follow reads the execution's progress events from the stream, as a
// dashboard would, calling handle for each in order, until the final one
// (nil) or ctx ends. A watch cut by a nats-server restart resumes after
// the last event it handled, so handle sees each event once.
func follow(ctx context.Context, js jetstream.JetStream, id string, handle func(*rebalancerv1.ExecutionEvent)) error {
	var last uint64
	for {
		err := progress.Watch(ctx, js, id, last+1, func(ev *rebalancerv1.ExecutionEvent) error {
			last = ev.GetSequence()
			handle(ev)
			return nil
		})
		if err == nil || ctx.Err() != nil {
			return err
		}
		select { // NATS is away: try again shortly
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
