package nodestep

import (
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
	kubedrain "k8s.io/kubectl/pkg/drain"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// The drain timeout counts from the drain's first start, as persisted: a
// resumed drain whose time ran out reports its blockers and fails the
// node (policy rollback) without evicting anything more.
func TestResumedDrainKeepsItsClock(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx := t.Context()
	for _, name := range []string{"web-1", "web-2"} {
		_, err := u.kube.CoreV1().Pods("shop").Create(ctx, replicaPod(name), metav1.CreateOptions{})
		require.NoError(t, err)
	}
	started := u.clock.Now().Add(-2 * u.x.Plan().GetPolicy().GetDrainTimeout().AsDuration())
	require.NoError(t, u.n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_DRAINING, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		nb.DrainStartedAt = started
	}))
	u.kube.ClearActions()

	err := drain(ctx, u.n)
	var f *Failure
	require.ErrorAs(t, err, &f)
	require.Equal(t, []string{"shop/web-1", "shop/web-2"}, f.Pods)
	_, nb := u.n.state()
	require.Equal(t, started.UTC(), nb.DrainStartedAt.UTC(), "the clock was not restarted")
	for _, a := range u.kube.Actions() {
		require.NotEqual(t, "eviction", a.GetSubresource(), "nothing evicted after the timeout")
	}
	require.Contains(t, u.x.kinds(), rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT)
}

// replicaPod is a pod of ReplicaSet shop/web-1234 on old-0.
func replicaPod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", UID: types.UID("uid-" + name), Labels: map[string]string{"app": "web"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-1234", UID: "rs", Controller: ptrTrue()}}},
		Spec: corev1.PodSpec{NodeName: "old-0"},
	}
}

// Each answer of the Eviction API leads to one decision (evictcodes.go),
// and the drain acts on it: the pod counts as moved or not, its owner is
// recorded for the verify step only when it was evicted, and a refusal is
// reported once, naming the PDB, however often it is retried.
func TestEvictionAnswersDecideWhatTheDrainDoes(t *testing.T) {
	t.Parallel()
	pods := schema.GroupResource{Resource: "pods"}
	for name, tc := range map[string]struct {
		answer  error
		moved   bool
		event   rebalancerv1.EventKind // said once, however often evicted
		owner   bool
		stillOn bool
	}{
		"201 admitted": {moved: true, event: rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED, owner: true},
		"404 gone":     {answer: apierrors.NewNotFound(pods, "web-1"), moved: true, stillOn: true},
		"409 UID":      {answer: apierrors.NewConflict(pods, "web-1", errors.New("uid")), moved: true, stillOn: true},
		"429 PDB": {answer: apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10),
			event: rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED, stillOn: true},
		"500 several PDBs": {answer: apierrors.NewInternalError(errors.New("This pod has more than one PodDisruptionBudget")),
			event: rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED, stillOn: true},
		"403 namespace terminating": {answer: apierrors.NewForbidden(pods, "web-1", errors.New("namespace shop is being terminated")),
			moved: true, stillOn: true},
		"503 transient": {answer: apierrors.NewServiceUnavailable("busy"), stillOn: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k := newSmallKube()
			k.addPod(replicaPod("web-1"))
			k.pdbs = []*policyv1.PodDisruptionBudget{{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
				Spec: policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
					MinAvailable: &intstr.IntOrString{IntVal: 1}}}}
			k.evictions["shop/web-1"] = tc.answer
			u := newSmallUnit(t, k)
			d := newDrainer(u.r, u.n, "old-0")

			for range 2 {
				moved, err := d.evict(t.Context(), replicaPod("web-1"), "")
				require.NoError(t, err)
				require.Equal(t, tc.moved, moved)
			}

			if tc.event == 0 {
				require.Empty(t, u.x.kinds())
			} else {
				require.Equal(t, []rebalancerv1.EventKind{tc.event}, u.x.kinds())
			}
			if tc.event == rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED {
				require.Equal(t, "shop/web", u.x.events[0].Details["pdb"])
			}
			_, nb := u.n.state()
			if tc.owner {
				require.Equal(t, []string{"ReplicaSet/shop/web-1234"}, nb.Owners)
			} else {
				require.Empty(t, nb.Owners)
			}
			left, err := k.PodsOn(t.Context(), "old-0")
			require.NoError(t, err)
			require.Equal(t, tc.stillOn, len(left) == 1)
			require.Equal(t, 2, k.written("evict pod shop/web-1"), "every try asks the Eviction API")
		})
	}
}

// The drain picks the pods to move as `kubectl drain --ignore-daemonsets
// --delete-emptydir-data` does, one case per filter of kubectl's, each
// checked against kubectl's own choice on the same cluster.
func TestPodsToMoveAreThoseKubectlDrainWouldMove(t *testing.T) {
	t.Parallel()
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "shop"}}
	owned := func(apiVersion, kind, name string) func(*corev1.Pod) {
		return func(p *corev1.Pod) {
			p.OwnerReferences = []metav1.OwnerReference{{APIVersion: apiVersion, Kind: kind, Name: name, UID: "c", Controller: ptrTrue()}}
		}
	}
	finished := func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded }
	for name, tc := range map[string]struct {
		change []func(*corev1.Pod)
		moves  bool // else it stays
		refuse bool // the whole drain is refused
	}{
		"a ReplicaSet's pod":             {change: []func(*corev1.Pod){owned("apps/v1", "ReplicaSet", "web-1234")}, moves: true},
		"a DaemonSet's pod":              {change: []func(*corev1.Pod){owned("apps/v1", "DaemonSet", "agent")}},
		"a pod of a DaemonSet gone":      {change: []func(*corev1.Pod){owned("apps/v1", "DaemonSet", "gone")}, refuse: true},
		"a finished pod of one gone":     {change: []func(*corev1.Pod){owned("apps/v1", "DaemonSet", "gone"), finished}, moves: true},
		"a DaemonSet of another version": {change: []func(*corev1.Pod){owned("extensions/v1beta1", "DaemonSet", "gone")}, moves: true},
		"a mirror pod": {change: []func(*corev1.Pod){func(p *corev1.Pod) {
			p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"}
		}}},
		"a pod with emptyDir data": {change: []func(*corev1.Pod){owned("apps/v1", "ReplicaSet", "web-1234"), func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
		}}, moves: true},
		"a pod no controller owns":  {refuse: true},
		"a finished unmanaged pod":  {change: []func(*corev1.Pod){finished}, moves: true},
		"a pod already terminating": {change: []func(*corev1.Pod){owned("apps/v1", "ReplicaSet", "web-1234"), func(p *corev1.Pod) { p.DeletionTimestamp = &metav1.Time{} }}, moves: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "shop"}, Spec: corev1.PodSpec{NodeName: "old-0"}}
			for _, change := range tc.change {
				change(pod)
			}
			objects := []runtime.Object{ds, pod}

			kubectl := &kubedrain.Helper{Ctx: t.Context(), Client: fake.NewClientset(objects...), IgnoreAllDaemonSets: true,
				DeleteEmptyDirData: true, GracePeriodSeconds: -1, Out: io.Discard, ErrOut: io.Discard}
			list, errs := kubectl.GetPodsForDeletion("old-0")
			u := &unit{kube: fake.NewClientset(objects...)}
			u.build(NewKube(u.kube))
			ours, err := newDrainer(u.r, u.n, "old-0").podsToMove(t.Context())

			require.Equal(t, tc.refuse, len(errs) > 0, "kubectl: %v", errs)
			require.Equal(t, tc.refuse, err != nil, "ours: %v", err)
			if tc.refuse {
				var f *Failure
				require.ErrorAs(t, err, &f)
				require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_DRAINING, f.Phase)
				return
			}
			require.Equal(t, tc.moves, slices.ContainsFunc(list.Pods(), func(p corev1.Pod) bool { return p.Name == "p" }), "kubectl")
			require.Equal(t, tc.moves, len(ours) == 1, "ours")
		})
	}
}
