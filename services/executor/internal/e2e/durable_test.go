package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// Regression of issue 17: an Executor on its embedded nats-server (the
// default), SIGKILLed while its first batch drains and started again
// with the very same command line, used to find an empty store (a fresh
// temporary folder each start): the execution was gone and its
// replacement VM billed on. With the data folder kept across restarts it
// takes the execution back and finishes it, killed while provisioning,
// draining or terminating; GetExecution answers for it, and the VMs are
// exactly the group's nodes.
func TestAnEmbeddedNATSExecutorKilledMidPlanFinishesAfterARestartWithTheSameFlags(t *testing.T) {
	t.Parallel()
	for _, at := range []rebalancerv1.EventKind{
		rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING,
		rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED,
		rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING,
	} {
		t.Run(at.String(), func(t *testing.T) {
			t.Parallel()
			killAndRestartEmbedded(t, at)
		})
	}
}

func killAndRestartEmbedded(t *testing.T, killAt rebalancerv1.EventKind) {
	const nodes = 2
	e := newWorld(t)
	old := e.guardedGroup(t, nodes)
	before := e.sim.Stats()
	// A fixed NATS port, as the same command line would give: with "-1"
	// the restarted process's server could take the port picked for its
	// metrics, freed by the kill, before the metrics listener binds it.
	flags := []string{"--data-dir", t.TempDir(), "--nats-listen", servicetest.FreeAddr(t),
		"--lease-ttl", leaseTTL.String(), "--roles", "executor,rollback"}
	first := e.startExecutor("solo", flags...)
	e.watch = grpcWatch(first.api)
	rec := &recorder{}
	m, id := e.submitRolling(t, first, old, rec)

	ctx, cancel := context.WithTimeout(t.Context(), 2*watchTimeout)
	defer cancel()
	killer := killOnFirst(first, killAt)
	watched := e.follow(ctx, id, rec, killer.on)
	killer.waitDead(t, ctx, watched)

	restartedAt := time.Now()
	second := e.startExecutor("solo", flags...)
	after := &recorder{}
	require.NoError(t, grpcWatch(second.api)(ctx, id, 0, after.add), "the restarted process knows the execution")
	requireNoViolations(t, m)

	final := getExecution(t, second.api, id)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.EqualValues(t, nodes, final.GetResult().GetNodesReplaced())
	requireEventsWithoutGaps(t, after.all(), rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	e.requireReplaced(old, nodes, "compute-4")
	e.requireNoMarks()
	e.requireVMsAreTheGroupsNodes()
	stats := e.sim.Stats()
	require.Equal(t, nodes, stats.VMsCreated-before.VMsCreated, "one VM per replaced node, none twice")
	require.Equal(t, before.DuplicateVMs, stats.DuplicateVMs)
	t.Logf("killed at the first %s, %s after arming; restarted process finished %s after its start",
		killAt, killer.killedAt.Sub(killer.armedAt).Round(10*time.Millisecond), time.Since(restartedAt).Round(10*time.Millisecond))
}

// requireVMsAreTheGroupsNodes checks the simulator's VMs (the env's own
// simulator: only this test's) are exactly the group's nodes: no orphan,
// no node without its VM.
func (e *env) requireVMsAreTheGroupsNodes() {
	e.t.Helper()
	vms, err := e.cloud.ListVMs(e.t.Context())
	require.NoError(e.t, err)
	var vmIDs, nodeVMs []string
	for _, vm := range vms {
		vmIDs = append(vmIDs, vm.ProviderID())
	}
	for _, n := range e.groupNodes() {
		nodeVMs = append(nodeVMs, n.Spec.ProviderID)
	}
	require.ElementsMatch(e.t, nodeVMs, vmIDs, "VMs equal the group's nodes")
}
