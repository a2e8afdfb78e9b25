package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// failingRollback is a handed-over rollback whose one step (deleting the
// replacement VM of old-0) the cloud refuses once, for good (401), so
// the first rollback fails and the next succeeds.
func failingRollback(t *testing.T) *twoReplicas {
	t.Helper()
	r := handlerReplicas(t)
	r.write(t, func(rec *store.Record) {
		rec.State.Status, rec.Book.Provisioning = rollingBack, r.world.group(t).Spec.Provisioning
		rec.Lease = store.Lease{Owner: handoverOwner, Expires: r.clock.Now().Add(testTTL)}
		ne := rec.State.GetNodes()[0]
		ne.Phase, ne.NewHostname, ne.NewVmIdentifier = rebalancerv1.NodePhase_NODE_PHASE_JOINING, "old-0-new", "vm-new"
	})
	r.world.cloud.NextError(cloudfake.OpDeleteVM, cloud.NewError(cloud.ErrUnauthorized, "DeleteVM", "token refused"))
	return r
}

// waitRetry waits until the rollback replica recorded a failed rollback.
func (r *twoReplicas) waitRetry(t *testing.T, attempts int) *store.Record {
	t.Helper()
	var rec *store.Record
	require.Eventually(t, func() bool {
		var err error
		rec, err = r.mem.Get(t.Context(), "exec-1")
		return err == nil && rec.Book.RollbackRetry != nil && rec.Book.RollbackRetry.Attempts == attempts && rec.Lease.Owner == "" &&
			!r.b.runsHere("exec-1")
	}, 10*time.Second, 10*time.Millisecond)
	return rec
}

// Regression: a rollback that failed used to end the execution FAILED,
// leaving the replacement billing and the group free for another plan.
// Now it stays ROLLING_BACK, says why an operator should look, and is
// claimed again once its backoff ran out, not before; it then succeeds.
func TestAFailedRollbackIsRetriedAfterItsBackoffUntilItSucceeds(t *testing.T) {
	t.Parallel()
	r := failingRollback(t)
	require.NoError(t, r.b.HandleFailure(t.Context(), failureOf("exec-1")))

	waiting := r.waitRetry(t, 1)
	require.Equal(t, rollingBack, waiting.State.GetStatus(), "not final: the group stays held")
	require.True(t, strings.HasPrefix(waiting.State.GetStatusMessage(), NeedsAttention), waiting.State.GetStatusMessage())
	require.Contains(t, waiting.State.GetStatusMessage(), "token refused")
	require.True(t, r.clock.Now().Add(DefaultRollbackRetry).Equal(waiting.Book.RollbackRetry.NextAt), "next attempt after the first backoff")

	require.NoError(t, r.b.scan(t.Context()))
	require.NoError(t, r.b.HandleFailure(t.Context(), failureOf("exec-1")), "a redelivered failure waits too")
	still, err := r.mem.Get(t.Context(), "exec-1")
	require.NoError(t, err)
	require.Equal(t, waiting.Revision, still.Revision, "not claimed before its time")

	r.clock.Step(DefaultRollbackRetry)
	require.NoError(t, r.b.scan(t.Context()))
	final := r.waitFinal(t)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.State.GetStatus(), "errors: %v", final.State.GetErrors())
	require.Nil(t, final.Book.RollbackRetry)
	require.Equal(t, "Rolled back after 1 failed attempts", final.State.GetStatusMessage())
	require.Contains(t, final.State.GetErrors(), "rollback: delete VM vm-new: cloud: DeleteVM: unauthorized: token refused")
}

// An operator stops the retries with CancelExecution: FAILED as it
// stands, still saying it needs attention.
func TestCancellingAFailedRollbackStopsItsRetries(t *testing.T) {
	t.Parallel()
	r := failingRollback(t)
	require.NoError(t, r.b.HandleFailure(t.Context(), failureOf("exec-1")))
	r.waitRetry(t, 1)

	st, err := r.a.Cancel(t.Context(), "exec-1", "fixing it by hand")
	require.NoError(t, err)
	require.Equal(t, failed, st.GetStatus())
	require.True(t, strings.HasPrefix(st.GetStatusMessage(), NeedsAttention), st.GetStatusMessage())
	require.Contains(t, st.GetStatusMessage(), "fixing it by hand")

	r.clock.Step(time.Hour)
	require.NoError(t, r.b.scan(t.Context()))
	rec, err := r.mem.Get(t.Context(), "exec-1")
	require.NoError(t, err)
	require.Equal(t, failed, rec.State.GetStatus(), "no retry after the operator stepped in")
}

func TestRollbackRetriesBackOffDoublingToACap(t *testing.T) {
	t.Parallel()
	var got []time.Duration
	for attempt := 1; attempt <= 8; attempt++ {
		got = append(got, rollbackDelay(10*time.Second, attempt))
	}
	require.Equal(t, []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, rollbackRetryCap, rollbackRetryCap, rollbackRetryCap}, got)
}
