package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// failureOf is the failure event the rollback handler receives.
func failureOf(id string) *rebalancerv1.ExecutionEvent {
	return &rebalancerv1.ExecutionEvent{ExecutionId: id, Kind: rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED}
}

// handlerReplicas are replica "a" (the owner) and a rollback replica "r",
// wired to fakes so a claimed rollback runs to its end, and one RUNNING
// execution a owns of a one-node plan that rolls back by itself.
func handlerReplicas(t *testing.T) *twoReplicas {
	t.Helper()
	r := newReplicas(t)
	r.b = r.replica(t, "r", Roles{Rollback: true})
	return r
}

// write changes the stored execution as another writer would.
func (r *twoReplicas) write(t *testing.T, change func(*store.Record)) *store.Record {
	t.Helper()
	rec, err := r.mem.Get(t.Context(), "exec-1")
	require.NoError(t, err)
	change(rec)
	saved, err := r.mem.Update(t.Context(), rec)
	require.NoError(t, err)
	return saved
}

// Where nothing is the rollback role's to do, the failure is acknowledged
// and the execution untouched; where its owner still decides, it is
// looked at again.
func TestTheRollbackHandlerLeavesWhatIsNotItsWork(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		change  func(*store.Record)
		wantErr error
	}{
		"manual rollback":  {change: func(r *store.Record) { r.Plan.RollbackPlan.Automatic = false }},
		"already ended":    {change: func(r *store.Record) { r.State.Status = failed }},
		"owner rolls back": {change: func(r *store.Record) { r.State.Status = rollingBack }},
		"paused":           {change: func(r *store.Record) { r.State.Status = paused }},
		"owner deciding":   {change: func(*store.Record) {}, wantErr: errOwnerDeciding},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := handlerReplicas(t)
			before := r.write(t, tc.change)
			err := r.b.HandleFailure(t.Context(), failureOf("exec-1"))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			after, err := r.mem.Get(t.Context(), "exec-1")
			require.NoError(t, err)
			require.Equal(t, before.Revision, after.Revision, "untouched")
		})
	}
	r := handlerReplicas(t)
	require.NoError(t, r.b.HandleFailure(t.Context(), failureOf("exec-unknown")), "an unknown execution is dropped")
}

// A soak's health gate that failed rolls back even a plan whose rollback
// is manual: the canary's old node is there to give its workloads back.
func TestAFailedHealthGateRollsBackAManualPlan(t *testing.T) {
	t.Parallel()
	r := handlerReplicas(t)
	r.clock.Step(testTTL) // the owner died after the gate failed
	r.write(t, func(rec *store.Record) {
		rec.Plan.RollbackPlan.Automatic = false
		rec.Plan = seal(rec.Plan)
		rec.Book.GateFailed = "Deployment/shop/web: pod web-1 container app in CrashLoopBackOff (4 restarts)"
	})
	require.NoError(t, r.b.HandleFailure(t.Context(), failureOf("exec-1")))
	final := r.waitFinal(t)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.State.GetStatus(), "errors: %v", final.State.GetErrors())
}

// A rollback handed over to the rollback role is claimed by the handler at
// once, before its hand-over lease ends (scans wait for that), and a
// failed execution whose owner died is taken over to roll back. Either
// way it ends ROLLED_BACK, run by the rollback replica.
func TestTheRollbackHandlerCarriesOutHandedOverAndAbandonedRollbacks(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		change    func(r *twoReplicas) func(*store.Record)
		takenOver bool
	}{
		"handed over": {change: func(r *twoReplicas) func(*store.Record) {
			return func(rec *store.Record) {
				rec.State.Status = rollingBack
				rec.Lease = store.Lease{Owner: handoverOwner, Expires: r.clock.Now().Add(testTTL)}
			}
		}},
		"owner died": {change: func(r *twoReplicas) func(*store.Record) {
			r.clock.Step(testTTL)
			return func(*store.Record) {}
		}, takenOver: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := handlerReplicas(t)
			r.write(t, tc.change(r))
			require.NoError(t, r.b.HandleFailure(t.Context(), failureOf("exec-1")))
			final := r.waitFinal(t)
			require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.State.GetStatus(), "errors: %v", final.State.GetErrors())
			require.Equal(t, "r", final.State.GetOwner())
			kinds := r.b.deps.Events.(*events).kinds()
			require.Contains(t, kinds, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED)
			if tc.takenOver {
				require.Contains(t, kinds, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER)
			} else {
				require.NotContains(t, kinds, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER, "a hand-over is no takeover")
			}
			require.NoError(t, r.b.HandleFailure(t.Context(), failureOf("exec-1")), "a repeated delivery changes nothing")
		})
	}
}

// waitFinal waits for the execution the rollback replica runs to end.
func (r *twoReplicas) waitFinal(t *testing.T) *store.Record {
	t.Helper()
	var rec *store.Record
	require.Eventually(t, func() bool {
		var err error
		rec, err = r.mem.Get(t.Context(), "exec-1")
		return err == nil && isFinal(rec.State.GetStatus())
	}, 10*time.Second, 10*time.Millisecond)
	return rec
}
