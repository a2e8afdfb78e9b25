package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
)

// The nats-server holding the executions and events is SIGKILLed as the
// first drain starts and comes back twice the lease TTL later, on its
// port and store. The executor stops at its next write without doing
// anything twice, takes its execution back once NATS answers, and
// finishes it: no invariant broken at any moment, each VM created and
// deleted once, every event stored once and in order.
func TestAnExecutionRidesOutANATSOutage(t *testing.T) {
	t.Parallel()
	const nodes = 3
	e, nats := newOutageEnv(t)
	old := e.guardedGroup(t, nodes)
	before := e.sim.Stats()
	only := e.startReplica("only", "executor,rollback", leaseTTL.String())
	m, id := e.submitRolling(t, only, old, &recorder{})

	ctx, cancel := context.WithTimeout(t.Context(), 2*watchTimeout)
	defer cancel()
	drainStarted := make(chan struct{})
	go func() {
		_ = grpcWatch(only.api)(ctx, id, 0, func(ev *rebalancerv1.ExecutionEvent) error {
			if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED {
				close(drainStarted)
				return context.Canceled // stop watching: NATS is about to go
			}
			return nil
		})
	}()
	select {
	case <-drainStarted:
	case <-ctx.Done():
		t.Fatal("no drain started")
	}
	nats.kill()
	killedAt := time.Now()
	time.Sleep(2 * leaseTTL)
	nats.restart()
	restartedAt := time.Now()

	final := waitFinal(t, ctx, only, id)
	requireNoViolations(t, m)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.EqualValues(t, nodes, final.GetResult().GetNodesReplaced())
	require.Zero(t, final.GetResult().GetOrphanVms())

	rec := &recorder{}
	require.NoError(t, grpcWatch(only.api)(ctx, id, 0, rec.add), "the stored events, replayed")
	requireEventsWithoutGaps(t, rec.all(), rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	e.requireReplaced(old, nodes, "compute-4")
	e.requireNoMarks()
	after := e.sim.Stats()
	require.Equal(t, nodes, after.VMsCreated-before.VMsCreated, "one VM per replaced node, none twice")
	require.Equal(t, nodes, after.VMsDeleted-before.VMsDeleted, "the old VMs deleted, each once")
	t.Logf("NATS down %s; the plan finished %s after it came back",
		restartedAt.Sub(killedAt).Round(10*time.Millisecond), time.Since(restartedAt).Round(10*time.Millisecond))
}

// waitFinal polls the replica's API until the execution is final.
func waitFinal(t *testing.T, ctx context.Context, r *replica, id string) *rebalancerv1.ExecutionState {
	t.Helper()
	for {
		resp, err := r.api.GetExecution(ctx, &rebalancerv1.GetExecutionRequest{ExecutionId: id})
		if err == nil && engine.IsFinal(resp.GetExecution().GetStatus()) {
			return resp.GetExecution()
		}
		select {
		case <-ctx.Done():
			t.Fatalf("execution %s not final: %v (last error %v)", id, ctx.Err(), err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
