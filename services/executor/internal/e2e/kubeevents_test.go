package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// A rolling run tells its story where `kubectl describe` reads it: Events
// on the NodeGroup and on the old and new nodes, the RebalanceBlocked
// condition False, and the members listed; and where Prometheus reads it:
// every Executor metric of the group.
func TestARollingRunWritesKubernetesEventsConditionsAndMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 1)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 1, Target: "compute-4", DrainTimeout: time.Minute})
	final := e.run(plan, &recorder{})
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	replacement := final.GetNodes()[0].GetNewNode()

	// Per old node, its replacement starting (on the node) and it replaced
	// (on the group, the Node gone), with the steps between counted.
	e.requireKubeEvents("NodeGroup", e.groupName(), corev1.EventTypeNormal, "RebalanceStarted",
		"NodeReplaced", "SavingsVerified", "RebalanceSucceeded")
	e.requireKubeEvents("Node", old[0].Name, corev1.EventTypeNormal, "ReplacementStarted")
	e.requireKubeEvents("Node", replacement, corev1.EventTypeNormal, "ReplacementReady")
	e.requireCondition("RebalanceBlocked", metav1.ConditionFalse, "RebalanceSucceeded")
	e.requireGroupStatus("Succeeded")
	ng, err := e.sb.Autoscaler.NodeGroups(e.ns).Get(t.Context(), e.groupName(), metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, replacement, ng.Status.Nodes[0].Name)

	e.requireMetrics(map[string]string{
		"plans_executed_total": "1", "nodes_provisioned_total": "1", "nodes_drained_total": "1",
		"nodes_terminated_total": "1", "progress_percent": "100", "current_batch": "1",
		"estimated_completion_seconds": "0", "duration_seconds_count": "1",
	}, "plans_failed_total", "nodes_failed_total", "rollbacks_executed_total", "rollback_retries_total")
}

// A drain a PDB refuses until its timeout rolls back, and says so:
// Warning Events naming the PDB on the group and the old node,
// RebalanceBlocked left True with the failure that stopped it, and the
// rollback counted once.
func TestARollbackWritesWarningEventsConditionsAndMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old, _ := blocked(t, e)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: []*corev1.Node{old}, GroupSize: 2, Target: "compute-4", DrainTimeout: 3 * time.Second,
		OnTimeout: rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK})
	final := e.run(plan, &recorder{})
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus())

	e.requireKubeEvents("NodeGroup", e.groupName(), corev1.EventTypeWarning, "EvictionBlocked", "DrainTimedOut",
		"ReplacementFailed", "RollingBack", "RolledBack", "RebalanceRolledBack")
	e.requireKubeEvents("Node", old.Name, corev1.EventTypeWarning, "EvictionBlocked", "DrainTimedOut", "ReplacementFailed")
	c := e.requireCondition("RebalanceBlocked", metav1.ConditionTrue, "ReplacementFailed")
	require.Contains(t, c.Message, e.ns+"/guarded", "the condition names the PDB")
	e.requireGroupStatus("RolledBack")

	e.requireMetrics(map[string]string{
		"plans_executed_total": "1", "plans_failed_total": "1", "nodes_provisioned_total": "1",
		"nodes_failed_total": "1", "rollbacks_executed_total": "1", "progress_percent": "100",
		"current_batch": "1", "estimated_completion_seconds": "0", "duration_seconds_count": "1",
	}, "nodes_drained_total", "nodes_terminated_total", "rollback_retries_total")
}

// requireMetrics checks the in-process Executor's series of the env's
// group: each of want at its value, each of absent not exported (a
// counter never added to), and the reconciler's counter not at all.
func (e *env) requireMetrics(want map[string]string, absent ...string) {
	e.t.Helper()
	text := e.metrics()
	labels := fmt.Sprintf(`{namespace=%q,node_group=%q}`, e.ns, e.groupName())
	for name, value := range want {
		require.Contains(e.t, text, "vpsie_rebalancing_"+name+labels+" "+value+"\n", name)
	}
	for _, name := range absent {
		require.NotContains(e.t, text, "vpsie_rebalancing_"+name+labels, name)
	}
	require.NotContains(e.t, text, "vpsie_rebalancing_orphans_reclaimed_total{", "no orphan to reclaim")
}

// requireKubeEvents waits for events.k8s.io Events of type about the
// object, one of each reason.
func (e *env) requireKubeEvents(kind, name, eventType string, reasons ...string) {
	e.t.Helper()
	ns := e.ns
	if kind == "Node" {
		ns = metav1.NamespaceDefault // where Events about cluster-scoped objects go
	}
	var seen []string
	fixtures.Eventually(e.t, kind+" "+name+" Events "+eventType, func(ctx context.Context) (bool, error) {
		list, err := e.sb.Client.EventsV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		seen = reasonsAbout(list.Items, kind, name, eventType)
		for _, r := range reasons {
			if !slices.Contains(seen, r) {
				return false, nil
			}
		}
		return true, nil
	})
}

func reasonsAbout(evs []eventsv1.Event, kind, name, eventType string) []string {
	var out []string
	for _, ev := range evs {
		if ev.Regarding.Kind == kind && ev.Regarding.Name == name && ev.Type == eventType {
			out = append(out, ev.Reason)
		}
	}
	return out
}

// requireCondition waits for the group's condition to read so.
func (e *env) requireCondition(typ string, status metav1.ConditionStatus, reason string) metav1.Condition {
	e.t.Helper()
	var got metav1.Condition
	fixtures.Eventually(e.t, typ+" "+string(status)+" "+reason, func(ctx context.Context) (bool, error) {
		ng, err := e.sb.Autoscaler.NodeGroups(e.ns).Get(ctx, e.groupName(), metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		c := meta.FindStatusCondition(ng.Status.Conditions, typ)
		if c == nil {
			return false, nil
		}
		got = *c
		return c.Status == status && c.Reason == reason, nil
	})
	return got
}
