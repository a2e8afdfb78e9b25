package nodestep

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	k8stesting "k8s.io/client-go/testing"
	deploymentutil "k8s.io/kubectl/pkg/util/deployment"
	"k8s.io/utils/ptr"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/rollout"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// The surge decision lives in libs/rollout, which resolves fenceposts
// with its own copy of kubectl's arithmetic so that the Analyzer does not
// import kubectl. Both must agree, or the Executor would roll out what
// the Deployment controller takes down: every maxSurge and maxUnavailable
// among these values, for 0 to 3 replicas, resolves the same way.
func TestFencepostsResolveAsKubectlResolvesThem(t *testing.T) {
	t.Parallel()
	values := []*intstr.IntOrString{nil}
	for _, n := range []int32{0, 1, 2, 3} {
		values = append(values, ptr.To(intstr.FromInt32(n)))
	}
	for _, s := range []string{"0%", "1%", "25%", "49%", "50%", "99%", "100%", "150%", "lots", "-25%"} {
		values = append(values, ptrIntStr(s))
	}
	for _, surge := range values {
		for _, unavailable := range values {
			for desired := int32(0); desired <= 3; desired++ {
				s, u, err := rollout.ResolveFenceposts(surge, unavailable, desired)
				ks, ku, kerr := deploymentutil.ResolveFenceposts(surge, unavailable, desired)
				what := fmt.Sprintf("maxSurge %v, maxUnavailable %v, %d replicas", surge, unavailable, desired)
				if kerr != nil {
					require.EqualError(t, err, kerr.Error(), what)
					continue
				}
				require.NoError(t, err, what)
				require.Equal(t, []int32{ks, ku}, []int32{s, u}, what)
			}
		}
	}
}

// singleReplica is Deployment shop/web as the API server stores it:
// one replica, RollingUpdate 25%/25%.
func singleReplica() *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", UID: "dep-web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: proto.Int32(1),
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: ptrIntStr("25%"), MaxUnavailable: ptrIntStr("25%")}},
		},
	}
}

func ptrIntStr(s string) *intstr.IntOrString { v := intstr.FromString(s); return &v }

var podsResource = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// withSingleReplica puts d, its ReplicaSet and its one pod on old-0 into
// the fake cluster, and plays the Deployment controller's part: a change
// of the pod template makes the old pod go (the new one, available, is
// elsewhere); an admitted eviction makes it go too.
func (u *unit) withSingleReplica(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	ctx := t.Context()
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-7d9", Namespace: "shop", UID: "rs-web",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID, Controller: ptrTrue()}}}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-7d9-x", Namespace: "shop", UID: "pod-web", Labels: map[string]string{"app": "web"},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: ptrTrue()}}},
		Spec: corev1.PodSpec{NodeName: "old-0"}}
	_, err := u.kube.AppsV1().Deployments("shop").Create(ctx, d, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = u.kube.AppsV1().ReplicaSets("shop").Create(ctx, rs, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = u.kube.CoreV1().Pods("shop").Create(ctx, pod, metav1.CreateOptions{})
	require.NoError(t, err)
	podGone := func() { _ = u.kube.Tracker().Delete(podsResource, "shop", pod.Name) }
	u.kube.PrependReactor("patch", "deployments", func(k8stesting.Action) (bool, runtime.Object, error) {
		podGone()
		return false, nil, nil // the tracker applies the patch
	})
	u.kube.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "eviction" {
			return false, nil, nil
		}
		podGone()
		return true, nil, nil
	})
	u.kube.ClearActions()
}

// drainStepping runs the drain step, stepping the fake clock whenever the
// drain waits.
func (u *unit) drainStepping(t *testing.T) error {
	t.Helper()
	return u.stepping(250*time.Millisecond, func() error { return drain(t.Context(), u.n) })
}

// actions counts the fake cluster's requests of verb on resource
// (subresource "eviction" for evictions).
func (u *unit) actions(verb, resource, subresource string) int {
	n := 0
	for _, a := range u.kube.Actions() {
		if a.GetVerb() == verb && a.GetResource().Resource == resource && a.GetSubresource() == subresource {
			n++
		}
	}
	return n
}

// With the policy unset (on by default), the single replica's pod is not
// evicted: its Deployment is restarted once, recorded before the patch,
// announced once, and its owner is left for the verify step.
func TestDrainRollsOutASingleReplicaDeploymentInsteadOfEvicting(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	u.withSingleReplica(t, singleReplica())
	started := u.clock.Now().UTC().Format(time.RFC3339Nano)

	require.NoError(t, u.drainStepping(t))

	require.Zero(t, u.actions("create", "pods", "eviction"), "no eviction")
	require.Equal(t, 1, u.actions("patch", "deployments", ""), "one restart")
	dep, err := u.kube.AppsV1().Deployments("shop").Get(t.Context(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, started, dep.Spec.Template.Annotations[AnnotationRestartedAt])
	_, nb := u.n.state()
	require.Equal(t, []store.Rollout{{Node: "old-0", Deployment: "shop/web", RestartedAt: started, Announced: true}}, nb.Rollouts)
	require.Equal(t, []string{"Deployment/shop/web"}, nb.Owners)
	rolled := u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT)
	require.Len(t, rolled, 1)
	require.Equal(t, map[string]string{"pod": "shop/web-7d9-x", "deployment": "shop/web", "node": "old-0", "restarted_at": started},
		rolled[0].Details)
	require.Empty(t, u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED))
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_DRAINED, u.n.Phase())
}

// A drain resumed after a crash follows the recorded restart: patched but
// not announced, it finds the value on the Deployment and writes nothing,
// only announcing; announced, it only waits for the old pod to go.
func TestResumedDrainDoesNotRestartTheDeploymentAgain(t *testing.T) {
	t.Parallel()
	const value = "2027-01-15T08:00:00Z"
	for name, announced := range map[string]bool{"crash after the patch": false, "crash after the event": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newUnit(t)
			d := singleReplica()
			d.Spec.Template.Annotations = map[string]string{AnnotationRestartedAt: value}
			u.withSingleReplica(t, d)
			require.NoError(t, u.n.set(t.Context(), func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
				nb.Rollouts = []store.Rollout{{Node: "old-0", Deployment: "shop/web", RestartedAt: value, Announced: announced}}
			}))
			// The controller is still at it: the old pod goes a moment later.
			go func() {
				time.Sleep(50 * time.Millisecond)
				_ = u.kube.Tracker().Delete(podsResource, "shop", "web-7d9-x")
			}()

			require.NoError(t, u.drainStepping(t))

			require.Zero(t, u.actions("patch", "deployments", ""), "the Deployment is not written again")
			require.Zero(t, u.actions("create", "pods", "eviction"))
			want := 1
			if announced {
				want = 0
			}
			require.Len(t, u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT), want)
			_, nb := u.n.state()
			require.Len(t, nb.Rollouts, 1)
			require.True(t, nb.Rollouts[0].Announced)
		})
	}
}

// A paused Deployment, a group that turned the policy off, and a rollout
// that would take the replica down: the pod is evicted as before, and the
// event says why it was not rolled out when there is a reason to give.
func TestDrainEvictsWhenARolloutWouldNotSurge(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		change func(*appsv1.Deployment, *rebalancerv1.RebalancePolicy)
		note   string
	}{
		"paused": {change: func(d *appsv1.Deployment, _ *rebalancerv1.RebalancePolicy) { d.Spec.Paused = true },
			note: "its Deployment is paused"},
		"maxUnavailable 1": {change: func(d *appsv1.Deployment, _ *rebalancerv1.RebalancePolicy) {
			d.Spec.Strategy.RollingUpdate.MaxUnavailable = ptrIntStr("100%")
		}, note: "its Deployment's rollout would take it down (maxUnavailable 100% resolves to 1)"},
		"policy off": {change: func(_ *appsv1.Deployment, p *rebalancerv1.RebalancePolicy) {
			p.RolloutSingleReplicaDeployments = proto.Bool(false)
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newUnit(t)
			d := singleReplica()
			tc.change(d, u.x.rec.Plan.Policy)
			u.withSingleReplica(t, d)

			require.NoError(t, u.drainStepping(t))

			require.Zero(t, u.actions("patch", "deployments", ""), "not restarted")
			require.Equal(t, 1, u.actions("create", "pods", "eviction"))
			evicted := u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED)
			require.Len(t, evicted, 1)
			require.Equal(t, tc.note, evicted[0].Details["not_rolled_out"])
			if tc.note != "" {
				require.Contains(t, evicted[0].Message, tc.note)
			}
			require.Empty(t, u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT))
			_, nb := u.n.state()
			require.Empty(t, nb.Rollouts)
		})
	}
}

// A Deployment paused between the drain's decision and its restart is
// not restarted: the restart reads it again and evicts instead.
func TestRestartChecksTheDeploymentAgain(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	u.withSingleReplica(t, singleReplica())
	d := newDrainer(u.r, u.n, "old-0")
	ctx := context.Background()
	pod, err := u.kube.CoreV1().Pods("shop").Get(ctx, "web-7d9-x", metav1.GetOptions{})
	require.NoError(t, err)
	m, err := d.howToMove(ctx, pod)
	require.NoError(t, err)
	require.Equal(t, move{deployment: "shop/web"}, m)
	dep, err := u.kube.AppsV1().Deployments("shop").Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err)
	dep.Spec.Paused = true
	_, err = u.kube.AppsV1().Deployments("shop").Update(ctx, dep, metav1.UpdateOptions{})
	require.NoError(t, err)
	u.kube.ClearActions()

	moved, err := d.rollOut(ctx, pod, m.deployment)
	require.NoError(t, err)
	require.True(t, moved, "evicted instead")
	require.Zero(t, u.actions("patch", "deployments", ""))
	require.Equal(t, 1, u.actions("create", "pods", "eviction"))
	require.Equal(t, "its Deployment is paused", u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED)[0].Details["not_rolled_out"])
}
