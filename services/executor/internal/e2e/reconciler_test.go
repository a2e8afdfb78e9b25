package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/service"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// newReconcilingEnv is newEnv with a quick reconciler: a pass every half
// second, orphans reclaimed 2 s after they are left, a failed rollback
// tried again after 1 s.
func newReconcilingEnv(t *testing.T) *env {
	t.Helper()
	return newEnvTuned(t, func(o *service.Options) {
		o.Reconcile = engine.ReconcileSettings{Interval: 500 * time.Millisecond, OrphanGrace: 2 * time.Second, RollbackRetry: time.Second}
	})
}

// A replacement VM whose execution is missing from the store (tagged by
// this installation, joined as a Ready member its group does not need) is
// deleted, VM and Node, by the running Executor after the grace period.
func TestTheReconcilerDeletesAnOrphanReplacementVM(t *testing.T) {
	t.Parallel()
	e := newReconcilingEnv(t)
	old := e.createGroup(current, 2)
	ctx := t.Context()
	o, err := e.cloud.GetOffering(ctx, datacenter, "compute-4")
	require.NoError(t, err)
	labels := map[string]string{v1alpha1.LabelNodeGroup: e.groupName()}
	lost := cloud.Replacement{Installation: e.ns, Execution: "exec-lost", OldNode: old[0].Name}
	joinedBefore := e.sim.Stats().NodesJoined
	vm, err := e.cloud.CreateVM(ctx, cloud.CreateSpec{Hostname: e.groupName() + "-orphan", OfferingID: o.ID, Datacenter: datacenter,
		Labels: labels, Tags: []string{lost.Tag()}, UserData: vpsiesim.BootstrapUserData(joinToken, labels, nil)})
	require.NoError(t, err)
	createdAt := time.Now()

	// Not waited Ready first: under load the reconciler may delete it (grace
	// 2 s from creation) before a poll sees it Ready. That it joined is
	// read from the simulator's count instead.
	fixtures.Eventually(t, "orphan VM and node deleted", func(ctx context.Context) (bool, error) {
		_, vmErr := e.cloud.GetVM(ctx, vm.ID)
		_, nodeErr := e.sb.Client.CoreV1().Nodes().Get(ctx, vm.Hostname, metav1.GetOptions{})
		return e.sim.Stats().NodesJoined > joinedBefore && cloud.IsNotFound(vmErr) && apierrors.IsNotFound(nodeErr), nil
	})
	e.requireVMsAreTheGroupsNodes()
	require.Len(t, e.groupNodes(), 2, "the group's own nodes stay")
	require.Contains(t, e.metrics(), `vpsie_rebalancing_orphans_reclaimed_total{action="deleted",mode="vm"} 1`+"\n")
	e.requireKubeEvents("NodeGroup", e.groupName(), corev1.EventTypeWarning, "OrphanDeleted") // issue 17: an event and a metric
	t.Logf("orphan joined and was deleted %s after its creation (grace 2 s)", time.Since(createdAt).Round(100*time.Millisecond))
}

// metrics is what the in-process Executor's /metrics serves.
func (e *env) metrics() string {
	e.t.Helper()
	resp, err := http.Get("http://" + e.metricsAddr + "/metrics")
	require.NoError(e.t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return string(body)
}

// A node left cordoned and tainted by an execution missing from the store
// (noted by this installation) is restored from its note by the running
// Executor, not only at its next start.
func TestTheReconcilerRestoresAStaleCordon(t *testing.T) {
	t.Parallel()
	e := newReconcilingEnv(t)
	node := e.createGroup(current, 1)[0]
	ctx := t.Context()
	note, err := json.Marshal(nodestep.MarksNote{Installation: e.ns, Execution: "exec-lost"})
	require.NoError(t, err)
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"annotations": map[string]string{engine.AnnotationOriginalMarks: string(note)}},
		"spec":     map[string]any{"unschedulable": true, "taints": []corev1.Taint{nodestep.ReplacingTaint()}},
	})
	require.NoError(t, err)
	_, err = e.sb.Client.CoreV1().Nodes().Patch(ctx, node.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	require.NoError(t, err)
	markedAt := time.Now()

	fixtures.Eventually(t, "stale cordon restored", func(ctx context.Context) (bool, error) {
		n, err := e.sb.Client.CoreV1().Nodes().Get(ctx, node.Name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return !n.Spec.Unschedulable && !nodestep.HasReplacingTaint(n) && n.Annotations[engine.AnnotationOriginalMarks] == "", nil
	})
	e.requireNoMarks()
	t.Logf("restored %s after it was marked", time.Since(markedAt).Round(100*time.Millisecond))
}

// A NodeGroup lock naming an execution this installation's store does
// not hold, taken more than a minute ago, is cleared by the running
// Executor.
func TestTheReconcilerClearsAStaleGroupLock(t *testing.T) {
	t.Parallel()
	e := newReconcilingEnv(t)
	e.createGroup(current, 1)
	ctx := t.Context()
	ng, err := e.sb.Autoscaler.NodeGroups(e.ns).Get(ctx, e.groupName(), metav1.GetOptions{})
	require.NoError(t, err)
	ng.Status.ActiveExecution = &v1alpha1.ActiveExecution{PlanID: "plan-lost", ExecutionID: "exec-lost", Installation: e.ns,
		StartTime: metav1.NewTime(time.Now().Add(-2 * time.Minute))}
	_, err = e.sb.Autoscaler.NodeGroups(e.ns).UpdateStatus(ctx, ng, metav1.UpdateOptions{})
	require.NoError(t, err)
	lockedAt := time.Now()

	fixtures.Eventually(t, "stale lock cleared", func(ctx context.Context) (bool, error) {
		ng, err := e.sb.Autoscaler.NodeGroups(e.ns).Get(ctx, e.groupName(), metav1.GetOptions{})
		return err == nil && ng.Status.ActiveExecution == nil, err
	})
	t.Logf("lock cleared %s after it was set", time.Since(lockedAt).Round(100*time.Millisecond))
}

// A rollback that fails (VPSie refuses to delete the replacement that
// never joined: 401 while the first rollback runs) leaves the execution
// ROLLING_BACK and needing attention; once VPSie answers again, the
// retry after its backoff deletes the VM and the execution ends
// ROLLED_BACK, with no VM left behind.
func TestAFailedRollbackIsRetriedUntilItSucceeds(t *testing.T) {
	t.Parallel()
	e := newReconcilingEnv(t)
	old := e.createGroup(current, 1)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 1, Target: "compute-4", DrainTimeout: time.Minute, ProvisionTimeout: 3 * time.Second})
	for attempt := 1; attempt <= 2; attempt++ {
		require.NoError(t, e.sim.NeverJoin(naming.Hostname(plan.GetPlanId(), old[0].Name, attempt)))
	}
	rec := &recorder{}
	m := e.monitor(old, 1, false, rec)
	st := e.submit(plan)

	var refuse, answer sync.Once
	var attention string
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	defer cancel()
	err := e.watch(ctx, st.GetExecutionId(), 0, func(ev *rebalancerv1.ExecutionEvent) error {
		switch ev.GetKind() {
		case rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STARTED:
			refuse.Do(func() {
				err := e.sim.SetEndpointFaults(vpsiesim.EndpointVMDelete, vpsiesim.EndpointFaults{ErrorRate: 1, Statuses: []int{401}})
				require.NoError(t, err)
			})
		case rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_FAILED:
			answer.Do(func() {
				attention = waitAttention(t, e, st.GetExecutionId())
				e.sim.ResetFaults()
			})
		}
		return rec.add(ev)
	})
	require.NoError(t, err)
	requireNoViolations(t, m)

	require.True(t, strings.HasPrefix(attention, engine.NeedsAttention), "while it waited: %q", attention)
	final := e.get(st.GetExecutionId())
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus(), "errors: %v", final.GetErrors())
	require.Equal(t, "Rolled back after 1 failed attempts", final.GetStatusMessage())
	events := rec.all()
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_FAILED))
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED))
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
	e.requireVMsAreTheGroupsNodes()
	e.requireNoMarks()
}

// waitAttention waits until the execution is ROLLING_BACK with a retry
// pending, and returns its status message. It runs in the watch's
// callback, so it asks the Executor, not the stream.
func waitAttention(t *testing.T, e *env, id string) string {
	var message string
	require.Eventually(t, func() bool {
		st := e.get(id)
		message = st.GetStatusMessage()
		return st.GetStatus() == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLING_BACK && message != ""
	}, 10*time.Second, 50*time.Millisecond)
	return message
}
