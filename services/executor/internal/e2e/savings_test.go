package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// The target is withdrawn from the datacenter after planning, so the
// replacement joins on the only alternative the group allows, standard-16
// at $96 a month, dearer than the node's standard-8 at $48: the Executor
// prices what joined before touching the old node, deletes the
// replacement, and rolls back with both prices named; the old node was
// never cordoned nor drained, and the result reports planned against
// achieved savings.
func TestAFallbackDearerThanTheNodeItReplacesIsRolledBackBeforeAnyDrain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 1)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 1, Target: "compute-4", Alternatives: []string{"standard-16"}, DrainTimeout: time.Minute})
	require.NoError(t, e.sim.SetFaults(vpsiesim.Faults{Unavailable: []vpsiesim.Placement{{Datacenter: datacenter, Offering: "compute-4"}}}))
	rec := &recorder{}
	m := e.monitor(old, 1, false, rec)
	final := e.run(plan, rec)
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus(), "errors: %v", final.GetErrors())
	r := final.GetResult()
	require.EqualValues(t, 4800-2400, r.GetPlannedMonthlySavingsCents(), "planned: standard-8 to compute-4")
	require.Zero(t, r.GetRealizedMonthlySavingsCents(), "achieved: nothing replaced")
	require.EqualValues(t, 1, r.GetNodesFailed())
	require.Zero(t, r.GetOrphanVms())
	require.Len(t, final.GetFailedNodes(), 1)
	f := final.GetFailedNodes()[0]
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_READY, f.GetPhase(), "stopped before any cordon")
	for _, s := range []string{"standard-16", "$96.00", "standard-8", "$48.00"} {
		require.Contains(t, f.GetMessage(), s)
	}

	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
	for _, kind := range []rebalancerv1.EventKind{rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED,
		rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED} {
		require.Zero(t, countKind(events, kind), kind.String())
	}
	failedEvents := 0
	for _, ev := range events {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED {
			failedEvents++
			require.True(t, strings.Contains(ev.GetMessage(), "$96.00") && strings.Contains(ev.GetMessage(), "$48.00"), ev.GetMessage())
		}
	}
	require.Equal(t, 1, failedEvents)

	after, err := e.sb.Client.CoreV1().Nodes().Get(t.Context(), old[0].Name, metav1.GetOptions{})
	require.NoError(t, err)
	require.False(t, after.Spec.Unschedulable, "the old node serves on")
	_, err = e.cloud.FindVM(t.Context(), naming.Hostname(plan.GetPlanId(), old[0].Name, 1))
	require.True(t, cloud.IsNotFound(err), "the dearer replacement is deleted: %v", err)
	require.Len(t, e.groupNodes(), 1)
}
