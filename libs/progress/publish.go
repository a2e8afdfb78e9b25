package progress

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Publisher is what an event source needs: one call per event.
type Publisher interface {
	// Publish stores ev on its execution's subject. Publishing the same
	// execution and sequence again is harmless (it is stored once).
	Publish(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error
}

// JetStreamPublisher publishes to the stream through JetStream, waiting for
// the server's acknowledgement so an event is stored when Publish returns.
type JetStreamPublisher struct {
	JS jetstream.JetStream
}

// Publish implements Publisher.
func (p JetStreamPublisher) Publish(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error {
	data, err := Encode(ev)
	if err != nil {
		return err
	}
	_, err = p.JS.Publish(ctx, Subject(ev), data, jetstream.WithMsgID(MsgID(ev.GetExecutionId(), ev.GetSequence())))
	if err != nil {
		return fmt.Errorf("publish event %d of %s: %w", ev.GetSequence(), ev.GetExecutionId(), err)
	}
	return nil
}
