package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

func openKV(t testing.TB) *store.KV {
	t.Helper()
	kv, err := store.OpenKV(t.Context(), embeddedJetStream(t), 1)
	require.NoError(t, err)
	return kv
}

// embeddedJetStream is JetStream on an embedded NATS server of the test's
// own (store.EmbeddedJetStream).
var embeddedJetStream = store.EmbeddedJetStream

func record(id string) *store.Record {
	r := &store.Record{
		State:      &rebalancerv1.ExecutionState{ExecutionId: id, PlanId: "plan-x"},
		Plan:       &rebalancerv1.RebalancePlan{PlanId: "plan-x", NodeGroup: "web"},
		AcceptedAt: time.Unix(100, 0).UTC(),
	}
	r.Book.NodeBook("n1").Original = &store.Marks{Taints: []corev1.Taint{{Key: "k", Effect: corev1.TaintEffectNoSchedule}}}
	return r
}

func TestCreateTwiceFindsTheFirst(t *testing.T) {
	t.Parallel()
	kv := openKV(t)
	created, err := kv.Create(t.Context(), record("exec-a"))
	require.NoError(t, err)
	_, err = kv.Create(t.Context(), record("exec-a"))
	require.ErrorIs(t, err, store.ErrExists)
	got, err := kv.Get(t.Context(), "exec-a")
	require.NoError(t, err)
	require.Equal(t, created.Revision, got.Revision)
	require.Equal(t, "k", got.Book.Nodes["n1"].Original.Taints[0].Key, "the bookkeeping round-trips")
	require.Equal(t, "web", got.Plan.GetNodeGroup())
}

// Two writers read the same revision: the second write is refused, so
// neither overwrites the other silently.
func TestUpdateOverAStaleRevisionConflicts(t *testing.T) {
	t.Parallel()
	kv := openKV(t)
	first, err := kv.Create(t.Context(), record("exec-b"))
	require.NoError(t, err)
	stale := first.Clone()
	first.State.CurrentBatch = 2
	updated, err := kv.Update(t.Context(), first)
	require.NoError(t, err)
	require.Greater(t, updated.Revision, first.Revision)
	stale.State.CurrentBatch = 3
	_, err = kv.Update(t.Context(), stale)
	require.ErrorIs(t, err, store.ErrConflict)
	got, err := kv.Get(t.Context(), "exec-b")
	require.NoError(t, err)
	require.EqualValues(t, 2, got.State.GetCurrentBatch())
}

func TestGetAndListMissing(t *testing.T) {
	t.Parallel()
	kv := openKV(t)
	_, err := kv.Get(t.Context(), "exec-none")
	require.ErrorIs(t, err, store.ErrNotFound)
	list, err := kv.List(t.Context())
	require.NoError(t, err)
	require.Empty(t, list)
	_, err = kv.Create(t.Context(), record("exec-c"))
	require.NoError(t, err)
	list, err = kv.List(t.Context())
	require.NoError(t, err)
	require.Len(t, list, 1)
}

// The index of unfinished executions follows the bucket: new ones appear,
// with their last revision, and finished ones leave.
func TestUnfinishedFollowsTheBucket(t *testing.T) {
	t.Parallel()
	kv := openKV(t)
	ids := func() []string {
		recs, err := kv.Unfinished(t.Context())
		if err != nil {
			return nil
		}
		var out []string
		for _, r := range recs {
			latest, err := kv.Get(t.Context(), r.State.GetExecutionId())
			if err != nil || latest.Revision != r.Revision {
				return nil // not caught up yet
			}
			out = append(out, r.State.GetExecutionId())
		}
		return out
	}
	for _, id := range []string{"exec-a", "exec-b", "exec-c"} {
		_, err := kv.Create(t.Context(), record(id))
		require.NoError(t, err)
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.ElementsMatch(c, []string{"exec-a", "exec-b", "exec-c"}, ids())
	}, 5*time.Second, 10*time.Millisecond)

	b, err := kv.Get(t.Context(), "exec-b")
	require.NoError(t, err)
	b.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED
	_, err = kv.Update(t.Context(), b)
	require.NoError(t, err)
	c, err := kv.Get(t.Context(), "exec-c")
	require.NoError(t, err)
	c.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
	_, err = kv.Update(t.Context(), c)
	require.NoError(t, err)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.ElementsMatch(c, []string{"exec-a", "exec-c"}, ids())
	}, 5*time.Second, 10*time.Millisecond)
}

// A final execution whose end's tail is pending stays in the index, so a
// scan finishes it; it leaves once the tail is done.
func TestUnfinishedKeepsAFinalExecutionUntilItsEndIsDone(t *testing.T) {
	t.Parallel()
	kv := openKV(t)
	listed := func() bool {
		recs, err := kv.Unfinished(t.Context())
		return err == nil && len(recs) == 1
	}
	r, err := kv.Create(t.Context(), record("exec-a"))
	require.NoError(t, err)
	r.State.Status, r.Book.Ending = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, &store.Ending{}
	r, err = kv.Update(t.Context(), r)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		recs, err := kv.Unfinished(t.Context())
		return err == nil && len(recs) == 1 && recs[0].Revision == r.Revision
	}, 5*time.Second, 10*time.Millisecond, "final, its tail pending: still listed")

	r.Book.Ending = nil
	_, err = kv.Update(t.Context(), r)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return !listed() }, 5*time.Second, 10*time.Millisecond, "settled: gone")
}
