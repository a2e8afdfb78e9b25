package nodestep

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// informedKinds is how many watches a KubeCache opens.
const informedKinds = 7

// startCache runs a KubeCache over fc until the test ends, and returns
// once its caches synced and every watch is open: the fake clientset
// drops what changes between a list and its watch.
func startCache(t *testing.T, fc *fake.Clientset) *KubeCache {
	t.Helper()
	var watches atomic.Int32
	fc.PrependWatchReactor("*", func(k8stesting.Action) (bool, watch.Interface, error) {
		watches.Add(1)
		return false, nil, nil
	})
	c := NewKubeCache(fc)
	t.Cleanup(c.Stop)
	require.NoError(t, c.Start(t.Context()))
	require.Eventually(t, func() bool { return watches.Load() >= informedKinds }, 10*time.Second, time.Millisecond)
	return c
}

// newCachedUnit is a unit whose steps read through a KubeCache over a
// fake clientset holding objs.
func newCachedUnit(t *testing.T, objs ...runtime.Object) (*unit, *KubeCache) {
	t.Helper()
	fc := fake.NewClientset(objs...)
	c := startCache(t, fc)
	u := &unit{kube: fc}
	u.build(c)
	return u, c
}

func webDeployment(available int32) *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", Generation: 1},
		Spec:   appsv1.DeploymentSpec{Replicas: ptr.To[int32](1)},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1, AvailableReplicas: available}}
}

func webBudget(allowed int32) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}},
		Status: policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: allowed}}
}

// Reads come from the caches, not the API server: a node's pods by the
// index, a selector's pods, budgets and workloads, NotFound as the API
// server says it; nodes are read live (see KubeCache).
func TestKubeCacheReadsFromItsCaches(t *testing.T) {
	t.Parallel()
	other := replicaPod("elsewhere")
	other.Spec.NodeName = "new-0"
	other.Labels = map[string]string{"app": "db"}
	fc := fake.NewClientset(replicaPod("web-1"), replicaPod("web-2"), other, webBudget(0), webDeployment(1),
		&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-1234", Namespace: "shop"}},
		&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "shop"}},
		&appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "kube-system"}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "old-0"}})
	c := startCache(t, fc)
	fc.ClearActions()
	ctx := t.Context()

	pods, err := c.PodsOn(ctx, "old-0")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"web-1", "web-2"}, []string{pods[0].Name, pods[1].Name})
	matching, err := c.PodsMatching(ctx, "shop", labels.SelectorFromSet(labels.Set{"app": "db"}))
	require.NoError(t, err)
	require.Len(t, matching, 1)
	require.Equal(t, "elsewhere", matching[0].Name)
	pdbs, err := c.PDBs(ctx, "shop")
	require.NoError(t, err)
	require.Len(t, pdbs, 1)
	_, err = c.GetReplicaSet(ctx, "shop", "web-1234")
	require.NoError(t, err)
	_, err = c.GetStatefulSet(ctx, "shop", "db")
	require.NoError(t, err)
	_, err = c.GetDaemonSet(ctx, "kube-system", "agent")
	require.NoError(t, err)
	d, err := c.GetDeployment(ctx, "shop", "web")
	require.NoError(t, err)
	d.Spec.Replicas = ptr.To[int32](9) // a copy: the cache keeps its own
	again, err := c.GetDeployment(ctx, "shop", "web")
	require.NoError(t, err)
	require.Equal(t, int32(1), *again.Spec.Replicas)
	_, err = c.GetDeployment(ctx, "shop", "gone")
	require.True(t, apierrors.IsNotFound(err), "%v", err)
	require.Empty(t, fc.Actions(), "no read went to the API server")

	_, err = c.GetNode(ctx, "old-0")
	require.NoError(t, err)
	require.Len(t, fc.Actions(), 1, "nodes are read live")
}

// A pod the process evicted is answered as leaving until the informer
// catches up, so the next drain round does not evict it again.
func TestKubeCacheShowsItsOwnEvictions(t *testing.T) {
	t.Parallel()
	pod := replicaPod("web-1")
	fc := fake.NewClientset(pod)
	c := startCache(t, fc)
	ctx := t.Context()

	require.NoError(t, c.Evict(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop"},
		DeleteOptions: &metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &pod.UID}}}))
	pods, err := c.PodsOn(ctx, "old-0")
	require.NoError(t, err)
	require.Len(t, pods, 1, "the fake's eviction leaves the pod")
	require.NotNil(t, pods[0].DeletionTimestamp, "answered as leaving")

	require.NoError(t, fc.Tracker().Delete(podsResource, "shop", "web-1"))
	require.Eventually(t, func() bool {
		pods, err := c.PodsOn(ctx, "old-0")
		return err == nil && len(pods) == 0
	}, 10*time.Second, time.Millisecond)
	// The informer's store drops the pod before its handlers hear of it,
	// so the forgetting follows a moment after.
	require.Eventually(t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.leaving) == 0
	}, 10*time.Second, time.Millisecond, "forgotten once the informer saw it go")
}

// A Deployment the process patched is read live until the informer has
// the generation the patch returned: verify must not judge the template
// from before the restart.
func TestKubeCacheReadsAPatchedDeploymentLiveUntilCaughtUp(t *testing.T) {
	t.Parallel()
	fc := fake.NewClientset(webDeployment(1))
	c := startCache(t, fc)
	ctx := t.Context()
	fc.PrependReactor("patch", "deployments", func(k8stesting.Action) (bool, runtime.Object, error) {
		d := webDeployment(1)
		d.Generation = 2 // the API server bumps it on a template change; the fake does not
		return true, d, nil
	})
	require.NoError(t, c.PatchDeployment(ctx, "shop", "web", types.MergePatchType, []byte(`{}`)))
	fc.ClearActions()

	_, err := c.GetDeployment(ctx, "shop", "web")
	require.NoError(t, err)
	require.Len(t, fc.Actions(), 1, "read live: the cache has generation 1")

	caught := webDeployment(1)
	caught.Generation, caught.ResourceVersion = 2, "2"
	_, err = fc.AppsV1().Deployments("shop").Update(ctx, caught, metav1.UpdateOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		fc.ClearActions()
		d, err := c.GetDeployment(ctx, "shop", "web")
		return err == nil && d.Generation == 2 && len(fc.Actions()) == 0
	}, 10*time.Second, time.Millisecond, "read from the cache once it has generation 2")
}

// Over the caches, a wait for availability returns when the Deployment
// changes, long before its fallback: the fake clock is never stepped, so
// no timer can have woken it.
func TestWaitAvailableWakesOnAnEvent(t *testing.T) {
	t.Parallel()
	u, _ := newCachedUnit(t, webDeployment(0))
	ctx := t.Context()
	done := make(chan error, 1)
	go func() {
		done <- u.r.WaitAvailable(ctx, []string{"Deployment/shop/web"}, u.clock.Now().Add(time.Hour))
	}()
	require.Eventually(t, u.clock.HasWaiters, 10*time.Second, time.Millisecond, "the wait sleeps")
	select {
	case err := <-done:
		t.Fatalf("returned before the Deployment was available: %v", err)
	default:
	}

	_, err := u.kube.AppsV1().Deployments("shop").UpdateStatus(ctx, webDeployment(1), metav1.UpdateOptions{})
	require.NoError(t, err)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the Deployment's change did not wake the wait")
	}
	require.Equal(t, time.Unix(1_800_000_000, 0), u.clock.Now(), "no timer fired: the clock never moved")
}

// An eviction refused by a budget is asked again as soon as the budget
// allows a disruption, not after the backoff: the clock never moves.
func TestRefusedEvictionRetriedWhenItsBudgetAllows(t *testing.T) {
	t.Parallel()
	u, _ := newCachedUnit(t, replicaPod("web-1"), webBudget(0))
	ctx := t.Context()
	var evictions atomic.Int32
	u.kube.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "eviction" {
			return false, nil, nil
		}
		if evictions.Add(1) == 1 {
			return true, nil, apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0)
		}
		_ = u.kube.Tracker().Delete(podsResource, "shop", "web-1")
		return true, nil, nil
	})
	done := make(chan error, 1)
	go func() {
		left, err := newDrainer(u.r, u.n, "old-0").evictUntil(ctx, u.clock.Now().Add(time.Hour))
		if err == nil && len(left) > 0 {
			err = context.DeadlineExceeded
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return evictions.Load() == 1 && u.clock.HasWaiters() }, 10*time.Second, time.Millisecond,
		"the first eviction is refused and the drain waits")

	// A pod's change alone (its status) does not retry the refused eviction.
	pod := replicaPod("web-1")
	pod.Status.Phase = corev1.PodRunning
	_, err := u.kube.CoreV1().Pods("shop").UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond) // a wrong retry would have happened by now
	require.Equal(t, int32(1), evictions.Load(), "not retried on a pod's change")

	_, err = u.kube.PolicyV1().PodDisruptionBudgets("shop").UpdateStatus(ctx, webBudget(1), metav1.UpdateOptions{})
	require.NoError(t, err)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the budget allowing a disruption did not retry the eviction")
	}
	require.Equal(t, int32(2), evictions.Load())
	require.Equal(t, time.Unix(1_800_000_000, 0), u.clock.Now(), "no backoff timer fired: the clock never moved")
	blocked := u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED)
	require.Len(t, blocked, 1, "the refusal is reported once")
}
