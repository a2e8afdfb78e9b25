package progress

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Consumer names a durable consumer of some kinds of events. Every process
// consuming under one name shares its position: each event goes to one of
// them, and events published while none runs wait for the next.
type Consumer struct {
	// Durable is the consumer's name on the stream.
	Durable string
	// Kinds are the event kinds it receives; the server filters the rest.
	Kinds []rebalancerv1.EventKind
	// AckWait is how long an event handed out stays unacknowledged before
	// the server gives it to another process (the handler died with it).
	AckWait time.Duration
	// RetryDelay is the first wait before an event whose handling failed is
	// delivered again; it doubles with each delivery up to RetryCap.
	RetryDelay, RetryCap time.Duration
	// Logger hears of events that cannot be handled or acknowledged.
	Logger *slog.Logger
}

// config is the consumer on the stream. A new consumer starts at new
// events: what happened before it existed is not its work (the executor's
// scan of its store covers that). Once created, it keeps its position.
func (c Consumer) config() jetstream.ConsumerConfig {
	filters := make([]string, 0, len(c.Kinds))
	for _, k := range c.Kinds {
		filters = append(filters, KindFilter(k))
	}
	return jetstream.ConsumerConfig{
		Durable:        c.Durable,
		Description:    "Durable consumer of rebalancing events",
		FilterSubjects: filters,
		DeliverPolicy:  jetstream.DeliverNewPolicy,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        c.AckWait,
		MaxDeliver:     -1,
	}
}

// Ensure creates the consumer, or brings an existing one to c: events
// published from then on wait for a process to consume them.
func (c Consumer) Ensure(ctx context.Context, js jetstream.JetStream) (jetstream.Consumer, error) {
	cons, err := js.CreateOrUpdateConsumer(ctx, StreamName, c.config())
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", c.Durable, err)
	}
	return cons, nil
}

// retryDelay is the wait before the delivery after the delivered-th one.
func (c Consumer) retryDelay(delivered uint64) time.Duration {
	d := c.RetryDelay
	for i := uint64(1); i < delivered && d < c.RetryCap; i++ {
		d *= 2
	}
	return min(d, c.RetryCap)
}

// Consume hands each event to handle until ctx ends, or the consumer
// fails (deleted, say): the caller starts it again. An event is
// acknowledged when handle returns nil; on an error it is delivered again
// after a growing delay, to this process or another, so an event is
// handled to the end once even across crashes (handle must be idempotent:
// a process dying after handling, before acknowledging, sees it again).
func Consume(ctx context.Context, js jetstream.JetStream, c Consumer,
	handle func(context.Context, *rebalancerv1.ExecutionEvent) error) error {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	cons, err := c.Ensure(ctx, js)
	if err != nil {
		return err
	}
	msgs, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("consumer %s: %w", c.Durable, err)
	}
	stop := context.AfterFunc(ctx, msgs.Stop)
	defer stop()
	defer msgs.Stop()
	for {
		msg, err := msgs.Next()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, jetstream.ErrNoHeartbeat) {
			continue // the iterator recovers by itself once the server answers
		}
		if err != nil {
			return fmt.Errorf("consumer %s: %w", c.Durable, err)
		}
		c.dispatch(ctx, msg, handle)
	}
}

// dispatch hands one message to handle and acknowledges or defers it. An
// undecodable message is terminated: no delivery will ever decode it. An
// acknowledgement the server misses only means one more delivery.
func (c Consumer) dispatch(ctx context.Context, msg jetstream.Msg,
	handle func(context.Context, *rebalancerv1.ExecutionEvent) error) {
	ev, err := Decode(msg.Data())
	if err != nil {
		c.Logger.Error("undecodable event dropped", "consumer", c.Durable, "subject", msg.Subject(), "error", err)
		c.logAckError(msg.TermWithReason(err.Error()))
		return
	}
	if err := handle(ctx, ev); err != nil {
		var delivered uint64 = 1
		if md, mdErr := msg.Metadata(); mdErr == nil {
			delivered = md.NumDelivered
		}
		c.logAckError(msg.NakWithDelay(c.retryDelay(delivered)))
		return
	}
	c.logAckError(msg.Ack())
}

func (c Consumer) logAckError(err error) {
	if err != nil && !errors.Is(err, jetstream.ErrMsgAlreadyAckd) {
		c.Logger.Warn("event not acknowledged; it will be delivered again", "consumer", c.Durable, "error", err)
	}
}
