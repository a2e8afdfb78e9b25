package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/promtest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// The health gate (issue 19): the canary node, and each blue-green drain
// batch, keep their drained old nodes while the moved workloads soak; a
// regression rolls back, a clean soak lets the rest go on.

// errorRatio is the health query of these tests: the gauge a real
// Prometheus scrapes from the test, allowed up to 5 %.
var errorRatio = &v1alpha1.HealthGate{PrometheusQuery: "max(" + promtest.Metric + ")", MaxValue: "0.05"}

// soakWorkload is a Deployment of three guarded by a PDB, pinned to the group.
func soakWorkload(t *testing.T, e *env) {
	t.Helper()
	w := fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(e.ns, "web", e.ns, 3)},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMinAvailable(e.ns, "web", 2)},
	}
	w.Create(t, e.sb)
	w.WaitRunning(t, e.sb, 3)
}

func TestACanaryThatSoaksCleanLetsTheRestProceed(t *testing.T) {
	t.Parallel()
	prom := promtest.Start(t)
	e := newEnvQuerying(t, prom.URL)
	old := e.createGroup(current, 3)
	soakWorkload(t, e)
	const soak = 6 * time.Second
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 3, Target: "compute-4", DrainTimeout: time.Minute,
		Canary: true, CanarySoak: soak, HealthGate: errorRatio})
	require.True(t, plan.GetCanary(), "the group's canary makes the plan's")
	canary := plan.GetBatches()[0].GetNodes()[0].GetNodeName()
	rec := &recorder{}
	m := e.monitor(old, 3, false, rec)
	final := e.run(plan, rec)
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	e.requireReplaced(old, 3, "compute-4")
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	started := only(t, events, rebalancerv1.EventKind_EVENT_KIND_SOAK_STARTED)
	passed := only(t, events, rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_PASSED)
	require.Equal(t, canary, started.GetNodeName(), "only the canary soaks")
	require.GreaterOrEqual(t, passed.GetTime().AsTime().Sub(started.GetTime().AsTime()), soak)
	// The canary's old node went only after its soak, and the rest started
	// only then.
	require.Less(t, passed.GetSequence(), firstOf(t, events, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING, canary).GetSequence())
	for _, ev := range events {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED && ev.GetBatchNumber() > 1 {
			require.Greater(t, ev.GetSequence(), passed.GetSequence(), "batch %d started before the canary's soak passed", ev.GetBatchNumber())
		}
	}
	e.requireKubeEvents("Node", canary, corev1.EventTypeNormal, "HealthGatePassed")
}

func TestACanaryWhoseWorkloadCrashLoopsIsRolledBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 2)
	soakWorkload(t, e)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: time.Minute,
		Canary: true, CanarySoak: 30 * time.Second})
	canary := plan.GetBatches()[0].GetNodes()[0].GetNodeName()
	rec := &recorder{}
	m := e.monitor(old, 2, false, rec)
	crashed := make(chan string, 1)
	final := e.runOnSoak(plan, rec, func() { crashed <- e.crashLoop("web") })
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus(), "errors: %v", final.GetErrors())
	pod := <-crashed
	msg := final.GetStatusMessage()
	for _, s := range []string{"Health gate failed on " + canary, "Deployment/" + e.ns + "/web", "pod " + pod, "CrashLoopBackOff"} {
		require.Contains(t, msg, s)
	}
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
	failed := only(t, events, rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_FAILED)
	require.Equal(t, "Deployment/"+e.ns+"/web", failed.GetDetails()["subject"])
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED), "the rest never started")
	require.Zero(t, countKind(events, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING), "the canary's old node was kept")
	e.requireRestored(old)
	e.requireKubeEvents("Node", canary, corev1.EventTypeWarning, "HealthGateFailed")
}

func TestABlueGreenSoakAboveItsHealthQueryIsRolledBack(t *testing.T) {
	t.Parallel()
	prom := promtest.Start(t)
	e := newEnvQuerying(t, prom.URL)
	old := e.createGroup(current, 2)
	soakWorkload(t, e)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN,
		Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: time.Minute,
		BatchSoak: 20 * time.Second, HealthGate: errorRatio})
	rec := &recorder{}
	m := e.monitor(old, 2, true, rec)
	final := e.runOnSoak(plan, rec, func() { prom.Set(0.5) }) // errors rise once the workloads moved
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus(), "errors: %v", final.GetErrors())
	require.Contains(t, final.GetStatusMessage(), errorRatio.PrometheusQuery+": value 0.5 above 0.05")
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
	require.Positive(t, countKind(events, rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_FAILED))
	require.Zero(t, countKind(events, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING), "blue was kept")
	e.requireRestored(old)
}

// runOnSoak runs plan to its end, calling regress at each SOAK_STARTED,
// and returns the final state.
func (e *env) runOnSoak(plan *rebalancerv1.RebalancePlan, rec *recorder, regress func()) *rebalancerv1.ExecutionState {
	e.t.Helper()
	st := e.submit(plan)
	ctx, cancel := context.WithTimeout(e.t.Context(), watchTimeout)
	defer cancel()
	done := e.follow(ctx, st.GetExecutionId(), rec, func(ev *rebalancerv1.ExecutionEvent) {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_SOAK_STARTED {
			regress()
		}
	})
	require.NoError(e.t, <-done)
	return e.get(st.GetExecutionId())
}

// crashLoop puts a container of one of the Deployment's running pods in
// CrashLoopBackOff, as a kubelet reports a crashing process, and names
// the pod.
func (e *env) crashLoop(deployment string) string {
	pods, err := e.sb.Client.CoreV1().Pods(e.ns).List(e.t.Context(), metav1.ListOptions{LabelSelector: "app=" + deployment})
	require.NoError(e.t, err)
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil || p.Spec.NodeName == "" {
			continue
		}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: p.Spec.Containers[0].Name, Ready: false, RestartCount: 5,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off restarting failed container"}}}}
		_, err := e.sb.Client.CoreV1().Pods(e.ns).UpdateStatus(e.t.Context(), &p, metav1.UpdateOptions{})
		require.NoError(e.t, err)
		return p.Name
	}
	e.t.Fatalf("no running pod of %s", deployment)
	return ""
}

// requireRestored checks that every old node is back in service and no
// replacement is left: the group is its old nodes, unmarked.
func (e *env) requireRestored(old []*corev1.Node) {
	e.t.Helper()
	nodes := e.groupNodes()
	require.Len(e.t, nodes, len(old), "only the old nodes")
	names := map[string]bool{}
	for _, n := range old {
		names[n.Name] = true
	}
	for _, n := range nodes {
		require.True(e.t, names[n.Name], "%s is no old node", n.Name)
	}
	e.requireNoMarks()
	vms, err := e.cloud.ListVMs(e.t.Context())
	require.NoError(e.t, err)
	require.Len(e.t, vms, len(old), "no replacement VM left")
}

func only(t *testing.T, events []*rebalancerv1.ExecutionEvent, kind rebalancerv1.EventKind) *rebalancerv1.ExecutionEvent {
	t.Helper()
	var found []*rebalancerv1.ExecutionEvent
	for _, ev := range events {
		if ev.GetKind() == kind {
			found = append(found, ev)
		}
	}
	require.Len(t, found, 1, kind.String())
	return found[0]
}

func firstOf(t *testing.T, events []*rebalancerv1.ExecutionEvent, kind rebalancerv1.EventKind, node string) *rebalancerv1.ExecutionEvent {
	t.Helper()
	for _, ev := range events {
		if ev.GetKind() == kind && ev.GetNodeName() == node {
			return ev
		}
	}
	t.Fatalf("no %s of %s", kind, node)
	return nil
}

// A group whose soaks need a Prometheus the Executor was not given is
// refused up front, nothing done, rather than failing its first soak.
func TestAHealthQueryWithoutPrometheusIsRefusedBeforeAnything(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 2)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 2, Target: "compute-4", Canary: true, CanarySoak: time.Minute, HealthGate: errorRatio})
	before := e.sim.Stats().VMsCreated
	msg, _ := requireRefused(t, e.execute(plan), "health_query")
	require.Contains(t, msg, "no --prometheus-url")
	e.requireUntouched(plan, before)
}

// A caller may not skip the group's canary or cut its soak short: a plan
// that drops it loosens the group's policy, one that keeps it but soaks
// less breaks the plan rules; both are refused with nothing done.
func TestAPlanSkippingTheGroupsCanarySoakIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 2)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 2, Target: "compute-4", Canary: true, CanarySoak: time.Minute})
	require.Equal(t, time.Minute, plan.GetBatches()[0].GetSoakTime().AsDuration())
	before := e.sim.Stats().VMsCreated

	dropped := resealed(t, plan, func(p *rebalancerv1.RebalancePlan) {
		p.Canary, p.Policy.Canary, p.Policy.CanarySoak, p.Batches[0].SoakTime = false, false, nil, nil
	})
	msg, _ := requireRefused(t, e.execute(dropped), "policy_ceiling")
	require.Contains(t, msg, "canary is false in the plan but true in the group")
	e.requireUntouched(dropped, before)

	cut := resealed(t, plan, func(p *rebalancerv1.RebalancePlan) { p.Batches[0].SoakTime = nil })
	st, ok := status.FromError(e.execute(cut))
	require.True(t, ok)
	require.Equal(t, codes.InvalidArgument, st.Code(), "%v", st)
	require.Contains(t, st.Message(), "soak_time")
	e.requireUntouched(cut, before)
}
