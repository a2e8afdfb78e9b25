package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// The first run of an execution stops just as batch 1's BATCH_STARTED is
// published; the execution is resumed from the stored record as drive
// resumes it (republish the last event, run the batches). Counted as
// JetStream stores events (one per sequence), every batch is said to have
// started and completed exactly once.
func TestAResumedExecutionSaysEachBatchStartedAndCompletedOnce(t *testing.T) {
	t.Parallel()
	for name, stop := range map[string]firstRunStop{
		"taken over, the owner died after publishing":      {dies: true, published: true},
		"taken over, the owner died with the publish lost": {dies: true},
		"resumed after a pause":                            {published: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newTwoBatchUnit(t)
			first, ctx := u.firstOwner(t, stop)
			err := first.runBatches(ctx)
			if stop.dies {
				require.ErrorIs(t, err, context.Canceled)
			} else {
				require.ErrorIs(t, err, errInterrupted)
			}
			started, _ := batchEvents(u.events)
			wantStarted := map[int32]int{}
			if stop.published {
				wantStarted[1] = 1
			}
			require.Equal(t, wantStarted, started, "the first run got no further than batch 1")

			resumed := u.resumed(t)
			require.NoError(t, resumed.republishOutbox(t.Context()))
			require.NoError(t, resumed.runBatches(t.Context()))
			started, completed := batchEvents(u.events)
			require.Equal(t, map[int32]int{1: 1, 2: 1}, started)
			require.Equal(t, map[int32]int{1: 1, 2: 1}, completed)
		})
	}
}

// firstRunStop is how the first run stops at batch 1's BATCH_STARTED:
// its replica dies (else an operator asks it to pause), the event
// published or not.
type firstRunStop struct{ dies, published bool }

// newTwoBatchUnit is a unit whose plan replaces old-0 in batch 1, then
// old-1 in batch 2. Both replacements are Ready and the old nodes drained
// (nothing ran on them), so only verify and terminate are left: steps
// that need no node to join the fake cluster.
func newTwoBatchUnit(t *testing.T) *unit {
	u := newUnitOf(t, []string{"old-0", "old-1"})
	u.addNodes(t, "old-0", "old-1")
	require.NoError(t, u.x.update(t.Context(), func(r *store.Record) {
		r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
		r.State.StartedAt = timestamppb.New(u.clock.Now())
		for _, ne := range r.State.Nodes {
			ne.Phase, ne.NewOffering = rebalancerv1.NodePhase_NODE_PHASE_DRAINED, "compute-4"
		}
	}))
	return u
}

// firstOwner is the unit's execution run by a replica whose run stops as
// it publishes batch 1's BATCH_STARTED: its context ends (it died), or a
// pause request is written, which it sees at its next write.
func (u *unit) firstOwner(t *testing.T, stop firstRunStop) (*execution, context.Context) {
	ctx, die := context.WithCancel(t.Context())
	t.Cleanup(die)
	deps := *u.x.deps
	deps.Events = publisherFunc(func(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error {
		if ev.GetKind() != rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED || ev.GetBatchNumber() != 1 {
			return u.events.Publish(ctx, ev)
		}
		if stop.dies {
			die()
		} else if _, err := u.writeControl(ctx, store.Control{Pause: true, Reason: "test"}); err != nil {
			return err
		}
		if !stop.published {
			return errors.New("nats: connection closed")
		}
		return u.events.Publish(ctx, ev)
	})
	var rec *store.Record
	u.x.view(func(r *store.Record) { rec = r.Clone() })
	return newExecution(&deps, rec, nil), ctx
}

// resumed is the execution as the replica resuming it reads it from the
// store, with any pause request answered (as ResumeExecution does).
func (u *unit) resumed(t *testing.T) *execution {
	rec, err := u.writeControl(t.Context(), store.Control{})
	require.NoError(t, err)
	return newExecution(u.x.deps, rec, nil)
}

// writeControl writes an operator's request into the stored record, as
// PauseExecution and ResumeExecution do.
func (u *unit) writeControl(ctx context.Context, c store.Control) (*store.Record, error) {
	rec, err := u.x.deps.Store.Get(ctx, "exec-1")
	if err != nil {
		return nil, err
	}
	rec.Control = c
	return u.x.deps.Store.Update(ctx, rec)
}

type publisherFunc func(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error

func (f publisherFunc) Publish(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error {
	return f(ctx, ev)
}

var _ progress.Publisher = publisherFunc(nil)

// batchEvents counts BATCH_STARTED and BATCH_COMPLETED by batch, one per
// sequence: JetStream drops a republished sequence by its message ID.
func batchEvents(e *events) (started, completed map[int32]int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	started, completed = map[int32]int{}, map[int32]int{}
	seen := map[uint64]bool{}
	for _, ev := range e.list {
		if seen[ev.GetSequence()] {
			continue
		}
		seen[ev.GetSequence()] = true
		switch ev.GetKind() {
		case rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED:
			started[ev.GetBatchNumber()]++
		case rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED:
			completed[ev.GetBatchNumber()]++
		}
	}
	return started, completed
}

// A run resumed after its owner died between a batch's failure and the
// outcome fails the batch again; BATCH_FAILED is said once, so the
// rollback handler and watchers see one failure.
func TestABatchFailureIsSaidOncePerExecution(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	require.NoError(t, u.x.failBatch(t.Context(), 1, errors.New("old-0: drain timed out")))
	require.NoError(t, u.resumed(t).failBatch(t.Context(), 1, errors.New("old-0: failed before")))
	require.Equal(t, []rebalancerv1.EventKind{rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED}, u.events.kinds())
}
