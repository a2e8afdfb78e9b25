package engine

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// The units' clock starts on Friday 2027-01-15 at 08:00 UTC.
var (
	fridayEight    = time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC)
	saturdaySeven  = time.Date(2027, 1, 16, 7, 0, 0, 0, time.UTC)
	morningWindows = []v1alpha1.TimeWindow{{Start: "07:00", End: "08:30"}}
)

// running is a two-batch unit run by replicas of its world, every event
// passed to hook first (as it is published), leases long enough that the
// clock may jump hours.
type runningUnit struct {
	*unit
	hook func(ev *rebalancerv1.ExecutionEvent)
	mu   sync.Mutex
}

func newRunningUnit(t *testing.T) *runningUnit {
	t.Helper()
	u := newTwoBatchUnit(t)
	require.True(t, u.clock.Now().Equal(fridayEight))
	return &runningUnit{unit: u}
}

// replica starts an executor named name over the unit's world, scanning.
func (r *runningUnit) replica(t *testing.T, name string) *Executor {
	t.Helper()
	deps := *r.x.deps
	deps.Replica, deps.LeaseTTL = name, 1000*time.Hour
	deps.Events = publisherFunc(func(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error {
		r.mu.Lock()
		hook := r.hook
		r.mu.Unlock()
		if hook != nil {
			hook(ev)
		}
		return r.events.Publish(ctx, ev)
	})
	e := New(deps, deps.checker, nil)
	t.Cleanup(e.Stop)
	e.Start()
	return e
}

func (r *runningUnit) onEvent(hook func(ev *rebalancerv1.ExecutionEvent)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hook = hook
}

// after calls fn once, when batch's event of kind is published.
func (r *runningUnit) after(kind rebalancerv1.EventKind, batch int32, fn func()) {
	var once sync.Once
	r.onEvent(func(ev *rebalancerv1.ExecutionEvent) {
		if ev.GetKind() == kind && ev.GetBatchNumber() == batch {
			once.Do(fn)
		}
	})
}

// waitFor waits until the stored execution satisfies ok, stepping nothing.
func (r *runningUnit) waitFor(t *testing.T, what string, ok func(s *rebalancerv1.ExecutionState) bool) *rebalancerv1.ExecutionState {
	t.Helper()
	var st *rebalancerv1.ExecutionState
	require.Eventually(t, func() bool {
		rec, err := r.x.deps.Store.Get(t.Context(), "exec-1")
		if err != nil {
			return false
		}
		st = rec.State
		return ok(st)
	}, 10*time.Second, 5*time.Millisecond, what)
	return st
}

func (r *runningUnit) eventsOf(kind rebalancerv1.EventKind) []*rebalancerv1.ExecutionEvent {
	r.events.mu.Lock()
	defer r.events.mu.Unlock()
	var out []*rebalancerv1.ExecutionEvent
	seen := map[uint64]bool{}
	for _, ev := range r.events.list {
		if ev.GetKind() == kind && !seen[ev.GetSequence()] {
			seen[ev.GetSequence()] = true
			out = append(out, ev)
		}
	}
	return out
}

// The window closes while batch 1 runs: batch 1 finishes, batch 2 does
// not start, the execution pauses itself saying when the next window
// opens, and resumes by itself then, on the replica that paused it (its
// timer) or on another after that one stopped (its scan). No batch starts
// outside the window.
func TestAWindowClosingMidExecutionPausesAtTheBatchBoundaryAndResumesWhenItOpens(t *testing.T) {
	t.Parallel()
	for name, restart := range map[string]bool{"by the replica that paused it": false, "by another replica after a restart": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRunningUnit(t)
			r.editGroup(t, func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.MaintenanceWindows = morningWindows })
			r.after(rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED, 1, func() { r.clock.Step(31 * time.Minute) }) // 08:31: closed
			a := r.replica(t, "a")

			st := r.waitFor(t, "paused", func(s *rebalancerv1.ExecutionState) bool { return s.GetStatus() == paused })
			require.Equal(t, rebalancerv1.PauseReason_PAUSE_REASON_WINDOW_CLOSED, st.GetPauseReason())
			require.True(t, st.GetResumeAt().AsTime().Equal(saturdaySeven), "resumes when the next window opens: %s", st.GetResumeAt().AsTime())
			require.Contains(t, st.GetStatusMessage(), "the next start is allowed at Saturday 2027-01-16 07:00 UTC")
			started, completed := batchEvents(r.events)
			require.Equal(t, map[int32]int{1: 1}, started, "batch 2 did not start")
			require.Equal(t, map[int32]int{1: 1}, completed, "batch 1, in progress, finished")
			var pausedEv []*rebalancerv1.ExecutionEvent
			require.Eventually(t, func() bool {
				pausedEv = r.eventsOf(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED)
				return len(pausedEv) == 1
			}, 10*time.Second, 5*time.Millisecond, "EXECUTION_PAUSED said once")
			require.Equal(t, "WINDOW_CLOSED", pausedEv[0].GetDetails()["pause_reason"])
			require.Equal(t, "2027-01-16T07:00:00Z", pausedEv[0].GetDetails()["resume_at"])

			// An operator's resume is held to the schedule too.
			_, err := a.Resume(t.Context(), "exec-1")
			refusal, ok := accept.AsRefusal(err)
			require.True(t, ok, "refused: %v", err)
			require.Equal(t, accept.RuleSchedule, refusal.Rule)

			if restart {
				a.Stop()
				r.replica(t, "b")
			}
			r.clock.Step(time.Minute) // 08:32: nothing happens before its time
			time.Sleep(50 * time.Millisecond)
			require.Equal(t, paused, r.waitFor(t, "still paused", func(*rebalancerv1.ExecutionState) bool { return true }).GetStatus())

			r.clock.SetTime(saturdaySeven)
			final := r.waitFor(t, "succeeded", func(s *rebalancerv1.ExecutionState) bool { return isFinal(s.GetStatus()) })
			require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
			require.Empty(t, final.GetStatusMessage())
			resumed := r.eventsOf(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED)
			require.Len(t, resumed, 1, "resumed once")
			require.Equal(t, "SCHEDULE", resumed[0].GetDetails()["resumed_by"])
			for _, ev := range r.eventsOf(rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED) {
				at := ev.GetTime().AsTime()
				inside := at.Hour() == 7 || at.Hour() == 8 && at.Minute() < 30
				require.True(t, inside, "batch %d started at %s, outside the window", ev.GetBatchNumber(), at)
			}
		})
	}
}

// A group disabled, or a node gone, between two batches fails the
// execution before the next batch starts: BATCH_FAILED naming why, then
// the rollback of what was done.
func TestALiveGuardFailingBetweenBatchesRollsTheExecutionBack(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		change func(r *runningUnit)
		says   string
	}{
		"the group disabled": {says: "rebalancing is disabled for node group shop/web", change: func(r *runningUnit) {
			ng, _ := r.groups.NodeGroups("shop").Get(context.Background(), "web", metav1.GetOptions{})
			ng.Spec.Rebalancing.Enabled = ptr.To(false)
			_, _ = r.groups.NodeGroups("shop").Update(context.Background(), ng, metav1.UpdateOptions{})
		}},
		"the next node deleted": {says: "old-1 was deleted", change: func(r *runningUnit) {
			_ = r.kube.CoreV1().Nodes().Delete(context.Background(), "old-1", metav1.DeleteOptions{})
		}},
		"the next node moved to another group": {says: `belongs to group "db"`, change: func(r *runningUnit) {
			n, _ := r.kube.CoreV1().Nodes().Get(context.Background(), "old-1", metav1.GetOptions{})
			n.Labels[v1alpha1.LabelNodeGroup] = "db"
			_, _ = r.kube.CoreV1().Nodes().Update(context.Background(), n, metav1.UpdateOptions{})
		}},
		"the policy tightened": {says: "min_healthy_percent is 50 in the plan but 90 in the group", change: func(r *runningUnit) {
			ng, _ := r.groups.NodeGroups("shop").Get(context.Background(), "web", metav1.GetOptions{})
			ng.Spec.Rebalancing.MinHealthyPercent = ptr.To[int32](90)
			_, _ = r.groups.NodeGroups("shop").Update(context.Background(), ng, metav1.UpdateOptions{})
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRunningUnit(t)
			r.after(rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED, 1, func() { tc.change(r) })
			r.replica(t, "a")
			final := r.waitFor(t, "final", func(s *rebalancerv1.ExecutionState) bool { return isFinal(s.GetStatus()) })
			require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus(), "errors: %v", final.GetErrors())
			require.Contains(t, final.GetStatusMessage(), "Stopped before batch 2: ")
			require.Contains(t, final.GetStatusMessage(), tc.says)
			started, _ := batchEvents(r.events)
			require.Equal(t, map[int32]int{1: 1}, started, "batch 2 did not start")
			failedEv := r.eventsOf(rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED)
			require.Len(t, failedEv, 1)
			require.EqualValues(t, 2, failedEv[0].GetBatchNumber())
			require.Len(t, r.eventsOf(rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED), 1)
			require.Eventually(t, func() bool { return r.group(t).Status.ActiveExecution == nil }, 10*time.Second, 5*time.Millisecond,
				"the lock is released at the end")
		})
	}
}

// A record taken up from the store passes the guards before any step: a
// running execution of a group since disabled ends without a step, a
// rollback runs whatever the group says, and a stored plan that was
// altered is not acted on at all.
func TestARecordTakenFromTheStorePassesTheGuardsBeforeAnyStep(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		change func(t *testing.T, r *runningUnit)
		want   rebalancerv1.ExecutionStatus
		says   string
	}{
		"running, its group disabled": {want: failed, says: "Stopped: rebalancing is disabled",
			change: func(t *testing.T, r *runningUnit) {
				r.editGroup(t, func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.Enabled = ptr.To(false) })
			}},
		"running, outside its window": {want: paused, says: "Paused at a batch boundary",
			change: func(t *testing.T, r *runningUnit) {
				r.editGroup(t, func(ng *v1alpha1.NodeGroup) {
					ng.Spec.Rebalancing.MaintenanceWindows = []v1alpha1.TimeWindow{{Start: "02:00", End: "04:00"}}
				})
			}},
		"rolling back, its group disabled": {want: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK,
			change: func(t *testing.T, r *runningUnit) {
				r.editGroup(t, func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.Enabled = ptr.To(false) })
				require.NoError(t, r.x.update(t.Context(), func(rec *store.Record) { rec.State.Status = rollingBack }))
			}},
		"its stored plan altered": {want: failed, says: "Refused from the store, nothing done",
			change: func(t *testing.T, r *runningUnit) {
				require.NoError(t, r.x.update(t.Context(), func(rec *store.Record) { rec.Plan.Policy.MinHealthyPercent = 0 }))
			}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRunningUnit(t)
			tc.change(t, r)
			r.replica(t, "b")
			st := r.waitFor(t, tc.want.String(), func(s *rebalancerv1.ExecutionState) bool { return s.GetStatus() == tc.want })
			require.Contains(t, st.GetStatusMessage(), tc.says)
			started, _ := batchEvents(r.events)
			require.Empty(t, started, "no batch started")
		})
	}
}
