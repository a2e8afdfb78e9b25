package e2e

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// single is the Deployment of one replica whose PDB (minAvailable 1)
// refuses every eviction of its pod.
const single = "single"

// singleReplicaOnOld sets up a group of two, both nodes to be replaced,
// and Deployment "single" of one replica (the API server's default
// RollingUpdate, 25%/25%) guarded by minAvailable 1, its pod on the first
// node. It returns the two nodes in the order the rolling plan replaces
// them.
func singleReplicaOnOld(t *testing.T, e *env) []*corev1.Node {
	t.Helper()
	nodes := e.createGroup(current, 2)
	e.setCordon(nodes[1].Name, true) // the pod starts on nodes[0]
	w := fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(e.ns, single, e.ns, 1)},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMinAvailable(e.ns, single, 1)},
	}
	w.Create(t, e.sb)
	w.WaitRunning(t, e.sb, 2)
	e.setCordon(nodes[1].Name, false)
	pods := fixtures.WaitPodsRunning(t, e.sb, e.ns, "app="+single, 1)
	require.Equal(t, nodes[0].Name, pods[0].Spec.NodeName)
	return nodes
}

// workloadWatch follows one Deployment through informers for the whole
// run: every status it reports (available replicas) and every node its
// pods are bound to. A watch sees each status write, so a moment at zero
// available replicas cannot slip between two polls.
type workloadWatch struct {
	mu           sync.Mutex
	statuses     int
	minAvailable int32
	podNodes     map[string]string // pod → node
}

func (e *env) watchWorkload(name string) *workloadWatch {
	e.t.Helper()
	w := &workloadWatch{minAvailable: -1, podNodes: map[string]string{}}
	f := informers.NewSharedInformerFactoryWithOptions(e.sb.Client, 0, informers.WithNamespace(e.ns))
	deployments, pods := f.Apps().V1().Deployments().Informer(), f.Core().V1().Pods().Informer()
	onDeployment := func(obj any) {
		d, ok := obj.(*appsv1.Deployment)
		if !ok || d.Name != name {
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.statuses++
		if w.minAvailable < 0 || d.Status.AvailableReplicas < w.minAvailable {
			w.minAvailable = d.Status.AvailableReplicas
		}
	}
	onPod := func(obj any) {
		p, ok := obj.(*corev1.Pod)
		if !ok || p.Labels[fixtures.LabelApp] != name || p.Spec.NodeName == "" {
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.podNodes[p.Name] = p.Spec.NodeName
	}
	_, err := deployments.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: onDeployment, UpdateFunc: func(_, obj any) { onDeployment(obj) }})
	require.NoError(e.t, err)
	_, err = pods.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: onPod, UpdateFunc: func(_, obj any) { onPod(obj) }})
	require.NoError(e.t, err)
	stop := make(chan struct{})
	e.t.Cleanup(func() { close(stop) })
	f.Start(stop)
	require.True(e.t, cache.WaitForCacheSync(e.t.Context().Done(), deployments.HasSynced, pods.HasSynced))
	return w
}

func (w *workloadWatch) seen() (statuses int, minAvailable int32, podNodes map[string]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	nodes := map[string]string{}
	for p, n := range w.podNodes {
		nodes[p] = n
	}
	return w.statuses, w.minAvailable, nodes
}

// The feature users of every peer ask for: a Deployment of one replica
// whose PDB refuses every eviction moves by a rollout that surges, with
// no moment at zero available replicas, the new pod on a replacement and
// not on the other old node (tainted). With the policy off the drain is
// refused by the PDB as before and the plan rolls back.
func TestSingleReplicaDeploymentMovesByARolloutWithoutDowntime(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		rollout *bool // nil: the default, on
	}{
		"policy on by default": {rollout: nil},
		"policy off":           {rollout: ptr.To(false)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			old := singleReplicaOnOld(t, e)
			on := tc.rollout == nil || *tc.rollout
			drainTimeout := 60 * time.Second
			if !on {
				drainTimeout = 3 * time.Second
			}
			plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
				Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: drainTimeout, Rollout: tc.rollout})
			rec := &recorder{}
			m := e.monitor(old, 2, false, rec)
			watch := e.watchWorkload(single)
			final := e.run(plan, rec)
			requireNoViolations(t, m)

			statuses, minAvailable, podNodes := watch.seen()
			require.Positive(t, statuses)
			require.EqualValues(t, 1, minAvailable, "the Deployment never had fewer than one available replica (%d statuses seen)", statuses)
			events := rec.all()
			dep, err := e.sb.Client.AppsV1().Deployments(e.ns).Get(t.Context(), single, metav1.GetOptions{})
			require.NoError(t, err)
			if !on {
				requireBlockedAsBefore(t, e, final, events, dep)
				return
			}

			require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
			require.EqualValues(t, 2, final.GetResult().GetNodesReplaced())
			require.Zero(t, final.GetResult().GetPdbViolations())
			e.requireReplaced(old, 2, "compute-4")
			requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
			requireNodeStepsInOrder(t, events, old)

			// One restart, on the first old node's drain; no eviction tried.
			var rolled []*rebalancerv1.ExecutionEvent
			for _, ev := range events {
				switch ev.GetKind() {
				case rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT:
					rolled = append(rolled, ev)
				case rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED, rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED:
					require.NotContains(t, ev.GetDetails()["pod"], "/"+single+"-", "the single replica is not evicted: %s", ev.GetMessage())
				}
			}
			require.Len(t, rolled, 1)
			require.Equal(t, old[0].Name, rolled[0].GetNodeName())
			require.Equal(t, e.ns+"/"+single, rolled[0].GetDetails()["deployment"])
			require.Equal(t, rolled[0].GetDetails()["restarted_at"], dep.Spec.Template.Annotations[engine.AnnotationRestartedAt])

			// The new pod went to the first node's replacement, never to the
			// second old node, which carried the replacing taint.
			running := fixtures.WaitPodsRunning(t, e.sb, e.ns, "app="+single, 1)[0]
			require.NotContains(t, []string{old[0].Name, old[1].Name}, running.Spec.NodeName)
			for pod, node := range podNodes {
				require.NotEqual(t, old[1].Name, node, "pod %s landed on the other old node", pod)
			}
			require.Len(t, podNodes, 2, "the old pod and one new pod: %v", podNodes)
			t.Logf("single replica moved by rollout: drain of %s took %s, min available replicas %d over %d statuses, new pod on %s",
				old[0].Name, drainDuration(events, old[0].Name).Round(10*time.Millisecond), minAvailable, statuses, running.Spec.NodeName)
		})
	}
}

// requireBlockedAsBefore checks the policy-off run: the PDB refuses the
// eviction until the drain timeout, the plan rolls back, the Deployment
// is not restarted.
func requireBlockedAsBefore(t *testing.T, e *env, final *rebalancerv1.ExecutionState, events []*rebalancerv1.ExecutionEvent, dep *appsv1.Deployment) {
	t.Helper()
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus())
	require.Len(t, final.GetFailedNodes(), 1)
	f := final.GetFailedNodes()[0]
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_DRAINING, f.GetPhase())
	require.Equal(t, []string{e.ns + "/" + single}, f.GetBlockingPdbs())
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
	require.Zero(t, countKind(events, rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT))
	require.Positive(t, countKind(events, rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED))
	for _, ev := range events {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED {
			require.True(t, strings.HasPrefix(ev.GetDetails()["pod"], e.ns+"/"+single+"-"), ev.GetDetails()["pod"])
			require.Empty(t, ev.GetDetails()["not_rolled_out"], "the policy is off: no reason to give")
		}
	}
	require.NotContains(t, dep.Spec.Template.Annotations, engine.AnnotationRestartedAt)
	fixtures.WaitPodsRunning(t, e.sb, e.ns, "app="+single, 1)
}

// drainDuration is the time from a node's NODE_DRAIN_STARTED to its
// NODE_DRAINED event.
func drainDuration(events []*rebalancerv1.ExecutionEvent, node string) time.Duration {
	var start, end time.Time
	for _, ev := range events {
		if ev.GetNodeName() != node {
			continue
		}
		switch ev.GetKind() {
		case rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED:
			start = ev.GetTime().AsTime()
		case rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED:
			end = ev.GetTime().AsTime()
		}
	}
	return end.Sub(start)
}
