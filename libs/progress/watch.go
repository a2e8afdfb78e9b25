package progress

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Watch calls handle with the events of one execution in sequence order,
// starting at fromSequence (0 or 1: from the first), replaying what is
// stored and then following live. It returns nil after the final event
// (see Final), handle's error, or the context's error.
//
// An ordered consumer filtered on the execution's subject recreates itself
// on any gap in the stream, so handle never sees an event twice or out of
// order; the per-execution sequence (not the stream's) picks the start.
func Watch(ctx context.Context, js jetstream.JetStream, executionID string, fromSequence uint64,
	handle func(*rebalancerv1.ExecutionEvent) error) error {
	cons, err := js.OrderedConsumer(ctx, StreamName, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{ExecutionFilter(executionID)},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("watch %s: %w", executionID, err)
	}
	msgs, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("watch %s: %w", executionID, err)
	}
	stop := context.AfterFunc(ctx, msgs.Stop)
	defer stop()
	defer msgs.Stop()
	for {
		msg, err := msgs.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return ctx.Err()
			}
			return fmt.Errorf("watch %s: %w", executionID, err)
		}
		ev, err := Decode(msg.Data())
		if err != nil {
			return err
		}
		if ev.GetSequence() < fromSequence {
			continue
		}
		if err := handle(ev); err != nil {
			return err
		}
		if Final(ev) {
			return nil
		}
	}
}
