package nodestep

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// soaking is a unit whose old-0 was drained, moving Deployment shop/web
// (two replicas, both Ready and available, pods web-0 and web-1), in a
// batch that soaks a minute.
func soaking(t *testing.T) *unit {
	t.Helper()
	u := newUnit(t)
	u.x.rec.Plan.Batches[0].SoakTime = durationpb.New(time.Minute)
	labels := map[string]string{"app": "web"}
	two := int32(2)
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", Generation: 1},
		Spec:   appsv1.DeploymentSpec{Replicas: &two, Selector: &metav1.LabelSelector{MatchLabels: labels}},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1, AvailableReplicas: 2}}
	_, err := u.kube.AppsV1().Deployments("shop").Create(t.Context(), d, metav1.CreateOptions{})
	require.NoError(t, err)
	for _, name := range []string{"web-0", "web-1"} {
		u.putPod(t, readyPod(name, labels))
	}
	require.NoError(t, u.n.enter(t.Context(), rebalancerv1.NodePhase_NODE_PHASE_DRAINED, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		nb.Owners, nb.Verified = []string{"Deployment/shop/web"}, true
	}))
	return u
}

func readyPod(name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, Labels: labels},
		Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Ready: true}}}}
}

func (u *unit) putPod(t *testing.T, p *corev1.Pod) {
	t.Helper()
	pods := u.kube.CoreV1().Pods(p.Namespace)
	if _, err := pods.Update(t.Context(), p, metav1.UpdateOptions{}); err == nil {
		return
	}
	_, err := pods.Create(t.Context(), p, metav1.CreateOptions{})
	require.NoError(t, err)
}

// gateFailure runs the soak to its end and returns its regression.
func gateFailure(t *testing.T, u *unit) Regression {
	t.Helper()
	err := u.stepping(time.Second, func() error { return soak(t.Context(), u.n) })
	var g *GateFailed
	require.ErrorAs(t, err, &g)
	var f *Failure
	require.ErrorAs(t, err, &f, "the node fails as any other failure")
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_DRAINED, f.Phase, "failed before its old node goes")
	require.Len(t, u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_FAILED), 1)
	_, nb := u.n.state()
	require.False(t, nb.SoakPassed)
	return g.Regression
}

func TestACleanSoakPassesAfterItsWholeTime(t *testing.T) {
	t.Parallel()
	u := soaking(t)
	start := u.clock.Now()
	require.NoError(t, u.stepping(time.Second, func() error { return soak(t.Context(), u.n) }))
	require.GreaterOrEqual(t, u.clock.Since(start), time.Minute, "the whole soak was waited")
	_, nb := u.n.state()
	require.True(t, nb.SoakPassed)
	require.True(t, soaked(u.n), "a resumed node does not soak again")
	require.Len(t, u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_SOAK_STARTED), 1)
	require.Equal(t, "Deployment/shop/web", u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_SOAK_STARTED)[0].Details["workloads"])
	require.Len(t, u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_PASSED), 1)
}

func TestABatchWithoutASoakHasNothingToGate(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	require.True(t, soaked(u.n))
}

func TestASoakFailsOnAMovedPodThatRegresses(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		pod  func(p *corev1.Pod, soakStart time.Time)
		says string
	}{
		"crash looping": {func(p *corev1.Pod, _ time.Time) {
			p.Status.ContainerStatuses[0].RestartCount = 4
			p.Status.ContainerStatuses[0].State.Waiting = &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}
		}, "pod web-1 container app in CrashLoopBackOff (4 restarts)"},
		"restarted during the soak": {func(p *corev1.Pod, start time.Time) {
			p.Status.ContainerStatuses[0].RestartCount = 1
			p.Status.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{
				ExitCode: 137, FinishedAt: metav1.NewTime(start.Add(10 * time.Second))}
		}, "pod web-1 container app restarted during the soak (exit code 137, 1 restarts)"},
		"not Ready at the end": {func(p *corev1.Pod, _ time.Time) {
			p.Status.Conditions[0].Status = corev1.ConditionFalse
		}, "pod web-1 not Ready at the end of the soak"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := soaking(t)
			p := readyPod("web-1", map[string]string{"app": "web"})
			c.pod(p, u.clock.Now())
			u.putPod(t, p)
			reg := gateFailure(t, u)
			require.Equal(t, Regression{Subject: "Deployment/shop/web", What: c.says}, reg)
		})
	}
}

func TestARestartBeforeTheSoakIsNoRegression(t *testing.T) {
	t.Parallel()
	u := soaking(t)
	p := readyPod("web-1", map[string]string{"app": "web"})
	p.Status.ContainerStatuses[0].RestartCount = 3
	p.Status.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{
		FinishedAt: metav1.NewTime(u.clock.Now().Add(-time.Hour))}
	u.putPod(t, p)
	require.NoError(t, u.stepping(time.Second, func() error { return soak(t.Context(), u.n) }))
}

func TestASoakFailsOnReplicasNotAvailableAtItsEnd(t *testing.T) {
	t.Parallel()
	u := soaking(t)
	d, err := u.kube.AppsV1().Deployments("shop").Get(t.Context(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	d.Status.AvailableReplicas = 1
	_, err = u.kube.AppsV1().Deployments("shop").UpdateStatus(t.Context(), d, metav1.UpdateOptions{})
	require.NoError(t, err)
	require.Equal(t, Regression{Subject: "Deployment/shop/web", What: "replicas not all available at the end of the soak"}, gateFailure(t, u))
}

// query is a health query answering values in turn, its last one again.
type query struct {
	mu     sync.Mutex
	values []float64
	err    error
	asked  []string
}

func (q *query) Value(_ context.Context, text string) (float64, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.asked = append(q.asked, text)
	if q.err != nil || len(q.values) == 0 {
		return 0, false, q.err
	}
	v := q.values[0]
	if len(q.values) > 1 {
		q.values = q.values[1:]
	}
	return v, true, nil
}

func TestTheHealthQueryGatesTheSoak(t *testing.T) {
	t.Parallel()
	gate := &rebalancerv1.HealthGate{PrometheusQuery: "job:errors:ratio", MaxValue: 0.05}
	for name, c := range map[string]struct {
		query  HealthQuery
		passes bool
		says   string
	}{
		"below its maximum":      {query: &query{values: []float64{0.01, 0.05}}, passes: true},
		"no sample":              {query: &query{}, passes: true},
		"above its maximum":      {query: &query{values: []float64{0.01, 0.2}}, says: "value 0.2 above 0.05"},
		"no --prometheus-url":    {says: "the group sets a health query but this executor has no --prometheus-url"},
		"unanswered to the last": {query: &query{err: errors.New("connection refused")}, says: "connection refused"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := soaking(t)
			u.x.live.HealthGate = gate
			u.r.env.HealthQuery = c.query
			if c.passes {
				require.NoError(t, u.stepping(time.Second, func() error { return soak(t.Context(), u.n) }))
				require.Contains(t, c.query.(*query).asked, "job:errors:ratio", "the live group's query")
				return
			}
			reg := gateFailure(t, u)
			require.Contains(t, reg.String(), c.says)
		})
	}
}

func TestAResumedSoakWatchesOnlyWhatIsLeftOfIt(t *testing.T) {
	t.Parallel()
	u := soaking(t)
	began := u.clock.Now().Add(-50 * time.Second)
	require.NoError(t, u.n.set(t.Context(), func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) { nb.SoakStartedAt = began }))
	start := u.clock.Now()
	require.NoError(t, u.stepping(time.Second, func() error { return soak(t.Context(), u.n) }))
	require.Less(t, u.clock.Since(start), 15*time.Second, "ten seconds were left")
	require.Empty(t, u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_SOAK_STARTED), "announced before the restart")
}
