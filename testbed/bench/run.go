package bench

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
)

// runTimeout bounds one rebalance; a hundred nodes at ten at a time with
// a 20 s boot take minutes.
const runTimeout = 30 * time.Minute

// cloud is a VPSie client of the world's simulator.
func (w *world) cloud(t testing.TB) *vpsie.Client {
	t.Helper()
	c, err := vpsie.New(vpsie.Options{BaseURL: w.sim.URL, Token: simToken, OSIdentifier: "os-bench"})
	require.NoError(t, err)
	return c
}

// run is one measured rebalance.
type run struct {
	wall time.Duration
	// estimate is the plan's estimated_duration, the Planner's upper
	// bound of wall; expected its expected_duration, the forecast from
	// timings (the step times of an earlier run on the group), 0 when
	// the group had none.
	estimate  time.Duration
	expected  time.Duration
	timings   *rebalancerv1.StepTimings
	final     *rebalancerv1.ExecutionState
	events    []*rebalancerv1.ExecutionEvent
	kubeReqs  int
	evictions int
	kubeKinds map[string]int
	cloudReqs int
	// cloudKinds are the VPSie calls by endpoint.
	cloudKinds map[string]int
	peakMiB    float64
}

// rebalance plans the replacement of the group's nodes old (keep: its
// other nodes), at concurrency nodes at once, executes it and watches it
// to the end, counting the Executor's requests meanwhile.
func (w *world) rebalance(t testing.TB, namespace string, old, keep []*corev1.Node, concurrency int) run {
	t.Helper()
	plan := w.planner.Plan(t, w.sb.Autoscaler, plantest.Spec{Namespace: namespace, Group: namespace,
		Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING, Replace: old, Keep: keep, Target: target,
		Concurrency: int32(concurrency), DrainTimeout: 10 * time.Minute, ProvisionTimeout: 10 * time.Minute})
	timings := w.stepTimings(t, namespace)
	kubeBefore, simBefore := w.proxy.snapshot(), w.sim.Stats()
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	start := time.Now()
	resp, err := w.api.ExecutePlan(ctx, &rebalancerv1.ExecutePlanRequest{Plan: plan})
	require.NoError(t, err)
	events, err := w.watch(ctx, resp.GetExecution().GetExecutionId())
	require.NoError(t, err)
	r := run{wall: time.Since(start), estimate: plan.GetEstimatedDuration().AsDuration(),
		expected: plan.GetExpectedDuration().AsDuration(), timings: timings, events: events}
	got, err := w.api.GetExecution(ctx, &rebalancerv1.GetExecutionRequest{ExecutionId: resp.GetExecution().GetExecutionId()})
	require.NoError(t, err)
	r.final = got.GetExecution()
	r.kubeReqs, r.evictions, r.kubeKinds = requestsSince(kubeBefore, w.proxy.snapshot())
	simAfter := w.sim.Stats().Calls
	r.cloudReqs = calls(simAfter) - calls(simBefore.Calls)
	r.cloudKinds = callsSince(simBefore.Calls, simAfter)
	r.peakMiB, err = w.peakMemoryMiB()
	require.NoError(t, err)
	return r
}

// watch streams the execution's events to its final one.
func (w *world) watch(ctx context.Context, id string) ([]*rebalancerv1.ExecutionEvent, error) {
	stream, err := w.api.WatchExecution(ctx, &rebalancerv1.WatchExecutionRequest{ExecutionId: id})
	if err != nil {
		return nil, err
	}
	var events []*rebalancerv1.ExecutionEvent
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return events, nil
		}
		if err != nil {
			return events, err
		}
		if ev := resp.GetEvent(); ev != nil {
			events = append(events, ev)
		}
	}
}

// callsSince are the calls by endpoint made after before.
func callsSince(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

func calls(byEndpoint map[string]int) int {
	n := 0
	for _, c := range byEndpoint {
		n += c
	}
	return n
}

// stepTimings are the step times the plan's analysis carried: the group's
// status, which plantest.Spec.Request copies as the Analyzer does.
func (w *world) stepTimings(t testing.TB, namespace string) *rebalancerv1.StepTimings {
	t.Helper()
	group, err := w.sb.Autoscaler.NodeGroups(namespace).Get(t.Context(), namespace, metav1.GetOptions{})
	require.NoError(t, err)
	return plantest.StepTimingsOf(group.Status.LastRebalanceTimings)
}
