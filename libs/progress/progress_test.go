package progress_test

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/natsbus/natstest"
	"github.com/vpsie/node-rebalancer/libs/progress"
)

func jetStream(t testing.TB) jetstream.JetStream {
	t.Helper()
	js := natstest.JetStream(t)
	_, err := progress.EnsureStream(t.Context(), js, 1)
	require.NoError(t, err)
	return js
}

func event(seq uint64, kind rebalancerv1.EventKind) *rebalancerv1.ExecutionEvent {
	return &rebalancerv1.ExecutionEvent{
		ExecutionId: "exec-1", PlanId: "plan-1", NodeGroup: "web.a", Namespace: "shop",
		Sequence: seq, Kind: kind, Message: kind.String(),
	}
}

func TestSubjectsKeepOneTokenPerName(t *testing.T) {
	t.Parallel()
	require.Equal(t, "rebalancer.events.shop.web_a.exec-1.batch_failed",
		progress.Subject(event(3, rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED)))
	require.Equal(t, "rebalancer.events.*.*.exec-1.*", progress.ExecutionFilter("exec-1"))
	require.Equal(t, "rebalancer.events.*.*.*.batch_failed", progress.KindFilter(rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED))
	require.Equal(t, "exec-1-7", progress.MsgID("exec-1", 7))
}

// A publish retried with the same sequence is stored once, and a watcher
// starting at 2 sees 2 and 3 and stops after the final event.
func TestRetriedPublishIsStoredOnceAndWatchReplaysFromASequence(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	pub := progress.JetStreamPublisher{JS: js}
	ctx := t.Context()
	require.NoError(t, pub.Publish(ctx, event(1, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_ACCEPTED)))
	require.NoError(t, pub.Publish(ctx, event(1, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_ACCEPTED)))
	require.NoError(t, pub.Publish(ctx, event(2, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED)))

	stream, err := js.Stream(ctx, progress.StreamName)
	require.NoError(t, err)
	info, err := stream.Info(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 2, info.State.Msgs, "the retried publish was dropped as a duplicate")

	got := make(chan uint64, 10)
	done := make(chan error, 1)
	go func() {
		done <- progress.Watch(ctx, js, "exec-1", 2, func(ev *rebalancerv1.ExecutionEvent) error {
			got <- ev.GetSequence()
			return nil
		})
	}()
	require.Equal(t, uint64(2), <-got)
	require.NoError(t, pub.Publish(ctx, event(3, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)))
	require.Equal(t, uint64(3), <-got)
	require.NoError(t, <-done, "the watch ends after the final event")
}

func TestWatchEndsWithItsContext(t *testing.T) {
	t.Parallel()
	js := jetStream(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := progress.Watch(ctx, js, "exec-none", 0, func(*rebalancerv1.ExecutionEvent) error { return nil })
	require.Error(t, err)
}
