package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// ResumeExecution called the moment the owner says PAUSED, before that
// run released the lease, waits for the run to end and resumes: it does
// not trip over the run's last write and answer "busy".
func TestResumeRightAfterThePausedEventResumes(t *testing.T) {
	t.Parallel()
	u := newTwoBatchUnit(t)
	_, err := u.writeControl(t.Context(), store.Control{Pause: true, Reason: "maintenance"})
	require.NoError(t, err)
	deps := *u.x.deps
	var e *Executor
	resumed := make(chan error, 1)
	deps.Events = publisherFunc(func(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED {
			go func() {
				_, err := e.Resume(context.Background(), "exec-1")
				resumed <- err
			}()
			time.Sleep(100 * time.Millisecond) // Resume reads the record before the lease is released
		}
		return u.events.Publish(ctx, ev)
	})
	e = New(deps, deps.checker, nil)
	t.Cleanup(e.Stop)
	rec, err := deps.Store.Get(t.Context(), "exec-1")
	require.NoError(t, err)
	require.True(t, e.reserve("exec-1"))
	e.launch(rec, "")

	select {
	case err := <-resumed:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		require.Fail(t, "Resume did not answer")
	}
	require.Contains(t, u.events.kinds(), rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED)
}
