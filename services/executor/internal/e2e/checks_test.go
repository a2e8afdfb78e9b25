package e2e

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/invariants"
)

// monitor starts the invariant monitor on the group.
func (e *env) monitor(old []*corev1.Node, floor int, blueGreen bool, rec *recorder) *invariants.Monitor {
	e.t.Helper()
	names := make([]string, len(old))
	for i, n := range old {
		names[i] = n.Name
	}
	cfg := invariants.Config{
		Client: e.sb.Client, Namespace: e.ns, Group: e.groupName(), Floor: floor, OldNodes: names,
		BlueGreen: blueGreen, VMs: e.cloud, Forced: rec.forced,
	}
	if e.managed {
		cfg.Cluster = &invariants.ManagedCluster{API: e.cloud, ID: catalog.ID("cluster", e.ns)}
	}
	m, err := invariants.Start(e.t.Context(), cfg)
	require.NoError(e.t, err)
	return m
}

// requireNoViolations finishes the monitor and requires a clean record.
func requireNoViolations(t testing.TB, m *invariants.Monitor) {
	t.Helper()
	vs := m.Finish(t.Context())
	require.Empty(t, vs, "invariant violations")
}

// requireEventsWithoutGaps checks the sequence runs 1..n with no gap and
// ends with the final event.
func requireEventsWithoutGaps(t testing.TB, events []*rebalancerv1.ExecutionEvent, last rebalancerv1.EventKind) {
	t.Helper()
	require.NotEmpty(t, events)
	for i, ev := range events {
		require.EqualValues(t, i+1, ev.GetSequence(), "event %d (%s)", i, ev.GetKind())
	}
	require.Equal(t, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_ACCEPTED, events[0].GetKind())
	require.Equal(t, last, events[len(events)-1].GetKind())
}

// replacementOrder is the order a replaced node's events come in.
var replacementOrder = []rebalancerv1.EventKind{
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING,
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_JOINED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_READY,
	rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED,
	rebalancerv1.EventKind_EVENT_KIND_WORKLOADS_VERIFIED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING,
	rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED,
}

// requireNodeStepsInOrder checks each old node's steps came in order.
func requireNodeStepsInOrder(t testing.TB, events []*rebalancerv1.ExecutionEvent, old []*corev1.Node) {
	t.Helper()
	for _, n := range old {
		var kinds []rebalancerv1.EventKind
		for _, ev := range events {
			if ev.GetNodeName() == n.Name && slices.Contains(replacementOrder, ev.GetKind()) {
				kinds = append(kinds, ev.GetKind())
			}
		}
		require.Equal(t, replacementOrder, kinds, "steps of %s", n.Name)
	}
}

// requireReplaced checks the old nodes and VMs are gone and the group
// holds as many Ready nodes of the offering.
func (e *env) requireReplaced(old []*corev1.Node, groupSize int, offering string) {
	e.t.Helper()
	for _, n := range old {
		_, err := e.sb.Client.CoreV1().Nodes().Get(e.t.Context(), n.Name, metav1.GetOptions{})
		require.True(e.t, apierrors.IsNotFound(err), "old node %s is gone", n.Name)
		vm, _ := v1alpha1.VMIdentifier(n.Spec.ProviderID)
		_, err = e.cloud.GetVM(e.t.Context(), vm)
		require.True(e.t, cloud.IsNotFound(err), "old VM %s is gone: %v", vm, err)
	}
	nodes := e.groupNodes()
	require.Len(e.t, nodes, groupSize)
	count := 0
	for i := range nodes {
		require.True(e.t, ready(&nodes[i]) && !nodes[i].Spec.Unschedulable, "node %s Ready and schedulable", nodes[i].Name)
		if nodes[i].Labels[v1alpha1.LabelInstanceType] == offering {
			count++
		}
	}
	require.Equal(e.t, len(old), count, "replacements run %s", offering)
}

func ready(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// requireGroupStatus checks the NodeGroup's status after an execution.
func (e *env) requireGroupStatus(reason string) {
	e.t.Helper()
	ng, err := e.sb.Autoscaler.NodeGroups(e.ns).Get(e.t.Context(), e.groupName(), metav1.GetOptions{})
	require.NoError(e.t, err)
	require.Nil(e.t, ng.Status.ActiveExecution)
	require.NotNil(e.t, ng.Status.LastRebalanceTime)
	var found bool
	for _, c := range ng.Status.Conditions {
		if c.Type == "Rebalancing" {
			found = true
			require.Equal(e.t, metav1.ConditionFalse, c.Status)
			require.Equal(e.t, reason, c.Reason)
		}
	}
	require.True(e.t, found, "Rebalancing condition")
	require.Len(e.t, ng.Status.Nodes, len(e.groupNodes()))
}

func countKind(events []*rebalancerv1.ExecutionEvent, kind rebalancerv1.EventKind) int {
	n := 0
	for _, ev := range events {
		if ev.GetKind() == kind {
			n++
		}
	}
	return n
}
