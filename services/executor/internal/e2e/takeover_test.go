package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// leaseTTL is the replicas' lease in the process tests: short, so a
// takeover comes quickly, and the bound is TTL + 5 s.
const leaseTTL = 3 * time.Second

// Two executor processes share one nats-server; the one that owns a
// 4-node plan is SIGKILLed while provisioning, draining or terminating.
// The other takes the execution over within the lease TTL plus 5 s and
// finishes it: no invariant broken, no VM created or deleted twice.
func TestAKilledReplicasExecutionIsTakenOverAndFinished(t *testing.T) {
	t.Parallel()
	for _, at := range []rebalancerv1.EventKind{
		rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING,
		rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED,
		rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING,
	} {
		t.Run(at.String(), func(t *testing.T) {
			t.Parallel()
			killAndTakeOver(t, at)
		})
	}
}

func killAndTakeOver(t *testing.T, killAt rebalancerv1.EventKind) {
	e := newProcessEnv(t)
	old := e.createGroup(current, 4)
	w := fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(e.ns, "web", e.ns, 4)},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMaxUnavailable(e.ns, "web", 1)},
	}
	w.Create(t, e.sb)
	w.WaitRunning(t, e.sb, 4)
	created := e.sim.Stats().VMsCreated
	owner := e.startReplica("replica-a", "executor,rollback", leaseTTL.String())
	other := e.startReplica("replica-b", "executor,rollback", leaseTTL.String())

	// The drain timeout outlasts the disruption controller's two minutes:
	// a pod evicted just before the kill, on a node then deleted, can stay
	// in the PDB's disruptedPods that long, refusing further evictions.
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
		Replace: old, GroupSize: 4, Target: "compute-4", DrainTimeout: 150 * time.Second})
	rec := &recorder{}
	m := e.monitor(old, 4, false, rec)
	resp, err := owner.api.ExecutePlan(t.Context(), &rebalancerv1.ExecutePlanRequest{Plan: plan})
	require.NoError(t, err)

	var once sync.Once
	var killedAt, takenOverAt time.Time
	ctx, cancel := context.WithTimeout(t.Context(), 2*watchTimeout) // room for the long drain timeout above
	defer cancel()
	watched := e.follow(ctx, resp.GetExecution().GetExecutionId(), rec, func(ev *rebalancerv1.ExecutionEvent) {
		switch ev.GetKind() {
		case killAt:
			once.Do(func() {
				owner.kill(t)
				killedAt = time.Now()
			})
		case rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER:
			takenOverAt = time.Now()
		}
	})
	require.NoError(t, <-watched)
	finishedAt := time.Now()
	requireNoViolations(t, m)

	final := getExecution(t, other.api, resp.GetExecution().GetExecutionId())
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.Equal(t, "replica-b", final.GetOwner())
	require.False(t, killedAt.IsZero(), "replica-a was killed")
	require.False(t, takenOverAt.IsZero(), "an EXECUTION_TAKEN_OVER event")
	takeover := takenOverAt.Sub(killedAt)
	require.Less(t, takeover, leaseTTL+5*time.Second, "takeover within the lease TTL + 5 s")
	t.Logf("killed at %s: taken over after %s, finished %s after the kill", killAt, takeover.Round(10*time.Millisecond),
		finishedAt.Sub(killedAt).Round(10*time.Millisecond))

	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER))
	e.requireReplaced(old, 4, "compute-4")
	stats := e.sim.Stats()
	require.Equal(t, 4, stats.VMsCreated-created, "one VM per replaced node, none twice")
	require.Equal(t, 4, stats.VMsDeleted, "the 4 old VMs deleted, each once")
	require.Zero(t, final.GetResult().GetOrphanVms())
}
