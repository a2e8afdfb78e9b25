package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/invariants"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// The load: this many NodeGroups rebalanced at once, each of this many
// old nodes. Small enough to finish within about a minute on two cores
// shared with other tests, large enough that both replicas run several
// executions side by side.
const (
	loadGroups    = 3
	loadGroupSize = 2
)

// Two executor processes share one nats-server and run one execution per
// NodeGroup, all at once, each group with its own guarded workload. Plans
// go to the replicas in turn, so both own work at the same time. Every
// execution succeeds on its own events, no VM is created twice, and no
// invariant breaks in any group.
func TestLoadOfConcurrentExecutionsOnSeveralGroupsSpreadOverReplicas(t *testing.T) {
	t.Parallel()
	e := newProcessEnv(t)
	setupStart := time.Now()
	groups := make([]*loadGroup, loadGroups)
	for i := range groups {
		groups[i] = newLoadGroup(e, fmt.Sprintf("%s-g%d", e.ns, i))
	}
	for _, g := range groups {
		g.workload.WaitRunning(t, e.sb, loadGroupSize)
	}
	replicas := []*replica{
		e.startReplica("replica-a", "executor,rollback", leaseTTL.String()),
		e.startReplica("replica-b", "executor,rollback", leaseTTL.String()),
	}
	t.Logf("load set-up: %d groups of %d nodes and 2 replicas in %s", loadGroups, loadGroupSize,
		time.Since(setupStart).Round(100*time.Millisecond))

	before := e.sim.Stats()
	start := time.Now()
	for i, g := range groups {
		g.submit(replicas[i%len(replicas)])
	}
	for _, g := range groups {
		g.waitFinalEvent()
	}
	elapsed := time.Since(start)

	requireNoViolationsInAny(t, groups)
	requireSideBySide(t, groups)
	owners := map[string]bool{}
	for _, g := range groups {
		owners[g.requireSucceeded()] = true
	}
	require.Len(t, owners, len(replicas), "owners spread over both replicas: %v", owners)
	replaced := loadGroups * loadGroupSize
	after := e.sim.Stats()
	require.Equal(t, replaced, after.VMsCreated-before.VMsCreated, "one VM per replaced node, none twice")
	require.Equal(t, replaced, after.VMsDeleted-before.VMsDeleted, "every old VM deleted, each once")
	require.Equal(t, before.DuplicateVMs, after.DuplicateVMs, "no VM asked for twice under one hostname")
	t.Logf("load: %d executions, %d nodes replaced in %s (%.1f nodes/minute)", loadGroups, replaced,
		elapsed.Round(100*time.Millisecond), float64(replaced)/elapsed.Minutes())
}

// loadGroup is one NodeGroup of the load test and the execution that
// rebalances it.
type loadGroup struct {
	t        testing.TB
	env      *env // narrowed to the group
	old      []*corev1.Node
	workload fixtures.Workloads
	rec      *recorder
	monitor  *invariants.Monitor
	id       string
	to       *replica // the replica the plan was submitted to
	watched  <-chan error
}

// newLoadGroup creates the group's nodes and its workload: a Deployment
// pinned to the group's nodes (one pod a node) under a maxUnavailable 1
// PDB, so every group's drain meets a budget of its own. It does not wait
// for the pods, so the groups' workloads start side by side.
func newLoadGroup(e *env, name string) *loadGroup {
	e.t.Helper()
	g := &loadGroup{t: e.t, env: e.inGroup(name), rec: &recorder{}}
	g.old = g.env.createGroup(current, loadGroupSize)
	g.workload = fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(e.ns, name, name, loadGroupSize)},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMaxUnavailable(e.ns, name, 1)},
	}
	g.workload.Create(g.t, e.sb)
	return g
}

// submit starts the group's monitor, then sends its surge plan to the
// replica and follows the execution's events in the background.
func (g *loadGroup) submit(to *replica) {
	g.t.Helper()
	e := g.env
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
		Replace: g.old, GroupSize: loadGroupSize, Target: "compute-4", DrainTimeout: time.Minute})
	g.monitor = e.monitor(g.old, loadGroupSize, false, g.rec)
	resp, err := to.api.ExecutePlan(g.t.Context(), &rebalancerv1.ExecutePlanRequest{Plan: plan})
	require.NoError(g.t, err)
	g.id, g.to = resp.GetExecution().GetExecutionId(), to
	ctx, cancel := context.WithTimeout(g.t.Context(), watchTimeout)
	g.t.Cleanup(cancel)
	g.watched = e.follow(ctx, g.id, g.rec, func(*rebalancerv1.ExecutionEvent) {})
}

// waitFinalEvent waits until the watch has seen the execution's final event.
func (g *loadGroup) waitFinalEvent() {
	g.t.Helper()
	require.NoError(g.t, <-g.watched, "watching %s of group %s", g.id, g.env.groupName())
}

// requireSucceeded checks the group's execution and what it left, and
// returns the replica that owned it at the end.
func (g *loadGroup) requireSucceeded() string {
	g.t.Helper()
	e := g.env
	final := getExecution(g.t, g.to.api, g.id)
	require.Equal(g.t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(),
		"group %s: errors: %v", e.groupName(), final.GetErrors())
	require.EqualValues(g.t, loadGroupSize, final.GetResult().GetNodesReplaced())
	require.Zero(g.t, final.GetResult().GetNodesFailed())
	require.Zero(g.t, final.GetResult().GetOrphanVms())
	events := g.rec.all()
	requireEventsWithoutGaps(g.t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	for _, ev := range events {
		require.Equal(g.t, g.id, ev.GetExecutionId(), "event %d (%s) on the execution's own stream", ev.GetSequence(), ev.GetKind())
		require.Equal(g.t, e.groupName(), ev.GetNodeGroup(), "event %d (%s) names its own group", ev.GetSequence(), ev.GetKind())
	}
	requireNodeStepsInOrder(g.t, events, g.old)
	require.Zero(g.t, countKind(events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER),
		"nobody died, so nothing was taken over")
	e.requireReplaced(g.old, loadGroupSize, "compute-4")
	e.requireNoMarks()
	return final.GetOwner()
}

// requireNoViolationsInAny finishes every group's monitor and requires a
// clean record from each. The monitors finish side by side: each waits a
// grace period before its end checks, and those need not add up.
func requireNoViolationsInAny(t *testing.T, groups []*loadGroup) {
	t.Helper()
	found := make([][]invariants.Violation, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Go(func() { found[i] = g.monitor.Finish(t.Context()) })
	}
	wg.Wait()
	for i, g := range groups {
		require.Empty(t, found[i], "invariant violations in group %s", g.env.groupName())
	}
}

// requireSideBySide checks the executions really overlapped: the last one
// accepted was accepted before the first one ended. Otherwise the test
// would pass on replicas that run one execution at a time.
func requireSideBySide(t *testing.T, groups []*loadGroup) {
	t.Helper()
	var lastAccepted, firstEnded time.Time
	for _, g := range groups {
		events := g.rec.all()
		require.NotEmpty(t, events)
		accepted, ended := events[0].GetTime().AsTime(), events[len(events)-1].GetTime().AsTime()
		if accepted.After(lastAccepted) {
			lastAccepted = accepted
		}
		if firstEnded.IsZero() || ended.Before(firstEnded) {
			firstEnded = ended
		}
	}
	require.True(t, lastAccepted.Before(firstEnded), "the last execution was accepted at %s, after the first ended at %s",
		lastAccepted.Format(time.StampMilli), firstEnded.Format(time.StampMilli))
}
