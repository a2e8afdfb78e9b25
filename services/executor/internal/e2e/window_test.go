package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// windowsFromNow waits for second 40 of a minute and returns, read on the
// real clock the Executor runs on, a maintenance window that closes at the
// end of that minute (about 20 s later) and the next, which opens a minute
// after it closes and lasts two.
func windowsFromNow(t *testing.T) (first, second [2]time.Time) {
	t.Helper()
	now := time.Now().UTC()
	wait := 40*time.Second - time.Duration(now.Second())*time.Second - time.Duration(now.Nanosecond())
	if wait < 0 {
		wait += time.Minute
	}
	time.Sleep(wait)
	minute := time.Now().UTC().Truncate(time.Minute)
	return [2]time.Time{minute, minute.Add(time.Minute)}, [2]time.Time{minute.Add(2 * time.Minute), minute.Add(4 * time.Minute)}
}

func hhmm(t time.Time) string { return fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute()) }

// The group's maintenance window closes while batch 1 runs: batch 1
// finishes, batch 2 does not start, and the execution pauses itself,
// saying when the next window opens; it resumes by itself when that one
// opens and ends with every node replaced. No batch starts outside a
// window, and the invariant monitor sees nothing wrong throughout.
func TestAWindowClosingMidExecutionPausesAtTheBatchBoundaryAndResumesWhenItOpens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old, w := blocked(t, e) // batch 1's drain waits for its PDB, until the test lets it go
	nodes := e.groupNodes()
	require.Len(t, nodes, 2)
	other := &nodes[0]
	if other.Name == old.Name {
		other = &nodes[1]
	}
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: []*corev1.Node{old, other}, GroupSize: 2, Target: "compute-4", DrainTimeout: 5 * time.Minute})
	require.Len(t, plan.GetBatches(), 2)

	first, second := windowsFromNow(t)
	e.patchRebalancing(map[string]any{"timeZone": "UTC", "maintenanceWindows": []map[string]string{
		{"start": hhmm(first[0]), "end": hhmm(first[1])}, {"start": hhmm(second[0]), "end": hhmm(second[1])}}})
	rec := &recorder{}
	m := e.monitor([]*corev1.Node{old, other}, 2, false, rec)
	st := e.submit(plan)
	ctx, cancel := context.WithTimeout(t.Context(), 6*time.Minute)
	defer cancel()
	paused := make(chan *rebalancerv1.ExecutionEvent, 1)
	done := e.follow(ctx, st.GetExecutionId(), rec, func(ev *rebalancerv1.ExecutionEvent) {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED {
			paused <- ev
		}
	})

	// Batch 1 drains when the window has closed.
	time.Sleep(time.Until(first[1].Add(time.Second)))
	require.Equal(t, 1, countKind(rec.all(), rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED), "batch 1 runs")
	require.NoError(t, e.sb.Client.PolicyV1().PodDisruptionBudgets(e.ns).Delete(t.Context(), w.PDBs[0].Name, metav1.DeleteOptions{}))

	var ev *rebalancerv1.ExecutionEvent
	select {
	case ev = <-paused:
	case <-ctx.Done():
		t.Fatal("the execution did not pause")
	}
	require.Equal(t, "WINDOW_CLOSED", ev.GetDetails()["pause_reason"])
	require.Equal(t, second[0].Format(time.RFC3339), ev.GetDetails()["resume_at"])
	state := e.get(st.GetExecutionId())
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED, state.GetStatus())
	require.Equal(t, rebalancerv1.PauseReason_PAUSE_REASON_WINDOW_CLOSED, state.GetPauseReason())
	require.True(t, state.GetResumeAt().AsTime().Equal(second[0]))
	require.Contains(t, state.GetStatusMessage(), "the next start is allowed at "+second[0].Format("Monday 2006-01-02 15:04 MST"))
	t.Logf("paused: %s", state.GetStatusMessage())
	events := rec.all()
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED), "batch 1, in progress, finished")
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED), "batch 2 did not start")

	require.NoError(t, <-done)
	requireNoViolations(t, m)
	final := e.get(st.GetExecutionId())
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.Empty(t, final.GetStatusMessage())
	events = rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	for _, ev := range events {
		switch ev.GetKind() {
		case rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED:
			at := ev.GetTime().AsTime()
			inside := !at.Before(first[0]) && at.Before(first[1]) || !at.Before(second[0]) && at.Before(second[1])
			require.True(t, inside, "batch %d started at %s, outside the windows", ev.GetBatchNumber(), at)
		case rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED:
			require.Equal(t, "SCHEDULE", ev.GetDetails()["resumed_by"])
			require.False(t, ev.GetTime().AsTime().Before(second[0]), "resumed at %s, before the window opened", ev.GetTime().AsTime())
		}
	}
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED))
	e.requireReplaced([]*corev1.Node{old, other}, 2, "compute-4")
	fixtures.WaitPodsRunning(t, e.sb, e.ns, "app=guarded", 2)
}
