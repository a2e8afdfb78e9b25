package e2e

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// The only executor process owns a 3-node rolling plan and is SIGKILLed
// as the first drain starts, so nobody runs the execution until a new
// process, under another replica ID, is started after the first is dead
// (as a Deployment's restarted pod would be). At start-up the new process
// takes the execution over and finishes it: no invariant broken at any
// moment, each VM created and deleted once, no cordon or taint left.
func TestRestartedExecutorTakesOverTheKilledOnesExecutionAtStartUp(t *testing.T) {
	t.Parallel()
	const nodes = 3
	e := newProcessEnv(t)
	old := e.guardedGroup(t, nodes)
	before := e.sim.Stats()
	first := e.startReplica("first-process", "executor,rollback", leaseTTL.String())
	rec := &recorder{}
	m, id := e.submitRolling(t, first, old, rec)

	ctx, cancel := context.WithTimeout(t.Context(), 2*watchTimeout) // room for the long drain timeout above
	defer cancel()
	killer := killOnFirst(first, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED)
	var takenOverAt time.Time
	watched := e.follow(ctx, id, rec, func(ev *rebalancerv1.ExecutionEvent) {
		killer.on(ev)
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER {
			takenOverAt = time.Now()
		}
	})
	killer.waitDead(t, ctx, watched)
	requireStillOwnedBy(t, e, id, first.id)

	startedAt := time.Now()
	second := e.startReplica("second-process", "executor,rollback", leaseTTL.String())
	require.NoError(t, <-watched)
	requireNoViolations(t, m)

	final := getExecution(t, second.api, id)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.Equal(t, "second-process", final.GetOwner())
	require.EqualValues(t, nodes, final.GetResult().GetNodesReplaced())
	require.Zero(t, final.GetResult().GetOrphanVms())
	require.False(t, takenOverAt.IsZero(), "an EXECUTION_TAKEN_OVER event")
	// The dead process's lease runs out at most its TTL after the kill;
	// the new process scans at start-up and then every third of the TTL.
	takeover := takenOverAt.Sub(startedAt)
	require.Less(t, takeover, leaseTTL+5*time.Second, "taken over at start-up, once the dead lease ran out")

	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER))
	e.requireReplaced(old, nodes, "compute-4")
	e.requireNoMarks()
	after := e.sim.Stats()
	require.Equal(t, nodes, after.VMsCreated-before.VMsCreated, "one VM per replaced node, none twice")
	require.Equal(t, nodes, after.VMsDeleted-before.VMsDeleted, "the old VMs deleted, each once")
	require.Equal(t, before.DuplicateVMs, after.DuplicateVMs)
	t.Logf("killed after %s; new process started %s later, took over %s after its start, finished %s after its start",
		killer.killedAt.Sub(killer.armedAt).Round(10*time.Millisecond), startedAt.Sub(killer.killedAt).Round(10*time.Millisecond),
		takeover.Round(10*time.Millisecond), time.Since(startedAt).Round(10*time.Millisecond))
}

// killer SIGKILLs a replica on the first event of a kind, from inside the
// watch callback, so the process dies right at that step rather than
// after whatever the test goroutine was doing.
type killer struct {
	r        *replica
	kind     rebalancerv1.EventKind
	once     sync.Once
	sent     chan error
	armedAt  time.Time
	killedAt time.Time
}

func killOnFirst(r *replica, kind rebalancerv1.EventKind) *killer {
	return &killer{r: r, kind: kind, sent: make(chan error, 1), armedAt: time.Now()}
}

// on is the watch callback's part: no require here, it runs outside the
// test's goroutine.
func (k *killer) on(ev *rebalancerv1.ExecutionEvent) {
	if ev.GetKind() != k.kind {
		return
	}
	k.once.Do(func() {
		k.killedAt = time.Now()
		k.sent <- k.r.cmd.Process.Signal(syscall.SIGKILL)
	})
}

// waitDead waits until the kill was sent and the process reaped. The
// watch ending first means the execution finished before the step came.
func (k *killer) waitDead(t *testing.T, ctx context.Context, watched <-chan error) {
	t.Helper()
	select {
	case err := <-k.sent:
		require.NoError(t, err, "SIGKILL %s", k.r.id)
	case err := <-watched:
		t.Fatalf("the watch ended (%v) before any %s event", err, k.kind)
	case <-ctx.Done():
		t.Fatalf("no %s event: %v", k.kind, ctx.Err())
	}
	select {
	case <-k.r.done:
	case <-ctx.Done():
		t.Fatalf("%s still alive after SIGKILL", k.r.id)
	}
}

// requireStillOwnedBy checks that between the kill and the next start
// the execution is still the dead replica's and unfinished: the new
// process, not some other runner, is what carries it on. No replica runs
// to ask, so the record is read where it is stored.
func requireStillOwnedBy(t *testing.T, e *env, id, owner string) {
	t.Helper()
	st := e.record(id)
	require.Equal(t, owner, st.GetOwner())
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING, st.GetStatus())
}
