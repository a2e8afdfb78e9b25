package progress_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
)

var failures = progress.Consumer{
	Durable: "failures", Kinds: []rebalancerv1.EventKind{rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED},
	AckWait: 5 * time.Second, RetryDelay: 20 * time.Millisecond, RetryCap: 100 * time.Millisecond,
}

// handled counts deliveries per execution; the first delivery of an
// execution named in failOnce fails.
type handled struct {
	mu        sync.Mutex
	calls     map[string]int
	by        map[string]string
	failOnce  string
	delivered chan string
}

func newHandled(failOnce string) *handled {
	return &handled{calls: map[string]int{}, by: map[string]string{}, failOnce: failOnce, delivered: make(chan string, 100)}
}

func (h *handled) handler(name string) func(context.Context, *rebalancerv1.ExecutionEvent) error {
	return func(_ context.Context, ev *rebalancerv1.ExecutionEvent) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		id := ev.GetExecutionId()
		h.calls[id]++
		if id == h.failOnce && h.calls[id] == 1 {
			return errors.New("not yet")
		}
		h.by[id] = name
		h.delivered <- id
		return nil
	}
}

func (h *handled) count(id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[id]
}

func failure(exec string, kind rebalancerv1.EventKind) *rebalancerv1.ExecutionEvent {
	return &rebalancerv1.ExecutionEvent{ExecutionId: exec, NodeGroup: "web", Namespace: "shop", Sequence: 7, Kind: kind}
}

// Two processes share one durable consumer: the server filters the kinds,
// each failure is handled to the end by one of them, a failed handling is
// delivered again, and failures published while nobody consumes wait.
func TestADurableConsumerHandsEachFailureToOneProcess(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	pub := progress.JetStreamPublisher{JS: js}
	h := newHandled("exec-retried")
	_, err := failures.Ensure(t.Context(), js)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	consumed := startConsumers(ctx, js, h, "a", "b")

	for _, id := range []string{"exec-1", "exec-2", "exec-retried"} {
		require.NoError(t, pub.Publish(t.Context(), failure(id, rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED)))
		require.NoError(t, pub.Publish(t.Context(), failure(id, rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED)))
	}
	requireDelivered(t, h, "exec-1", "exec-2", "exec-retried")
	cancel()
	consumed.Wait()
	require.Equal(t, 1, h.count("exec-1"), "one delivery, to one process")
	require.Equal(t, 2, h.count("exec-retried"), "delivered again after its handling failed")

	require.NoError(t, pub.Publish(t.Context(), failure("exec-late", rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED)))
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	startConsumers(ctx, js, h, "c")
	requireDelivered(t, h, "exec-late")
	require.Len(t, h.delivered, 0, "no other kind of event delivered")
}

func startConsumers(ctx context.Context, js jetstream.JetStream, h *handled, names ...string) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Go(func() { _ = progress.Consume(ctx, js, failures, h.handler(name)) })
	}
	return &wg
}

func requireDelivered(t *testing.T, h *handled, ids ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for len(want) > 0 {
		select {
		case id := <-h.delivered:
			require.True(t, want[id], "unexpected or repeated delivery of %s", id)
			delete(want, id)
		case <-time.After(10 * time.Second):
			require.Failf(t, "not delivered", "%v", want)
		}
	}
}
