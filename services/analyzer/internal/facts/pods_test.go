package facts_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

func names(bound []facts.Bound) []string {
	var out []string
	for _, b := range bound {
		out = append(out, b.Pod.Namespace+"/"+b.Pod.Name)
	}
	return out
}

func moved(m *facts.Member) []string {
	var out []string
	for _, p := range m.Pods {
		out = append(out, p.Key())
	}
	return out
}

// The original implementation's bug: a `continue` inside the loop over
// owner references let DaemonSet pods through, so the agent's hostPath
// made every node look like it held local storage, and nothing was ever a
// candidate. Here the DaemonSet pod is bound to the node, not moved.
func TestDaemonSetPodsAreNotWorkloadsToMove(t *testing.T) {
	t.Parallel()
	agent := testobj.OwnedBy(testobj.Pod("kube-system", "agent-x7", "web-0"), "DaemonSet", "agent")
	agent.OwnerReferences = append([]metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "cfg"}},
		agent.OwnerReferences...) // the DaemonSet is not the first reference
	agent.Spec.Volumes = []corev1.Volume{{Name: "logs", VolumeSource: corev1.VolumeSource{
		HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
	app := testobj.Pod("shop", "app", "web-0")

	m := gatherOne(t, testobj.Node("web-0", "web", "standard-8"), "standard-8", agent, app)
	require.Equal(t, []string{"shop/app"}, moved(m))
	require.Equal(t, []string{"kube-system/agent-x7"}, names(m.NodeBound))
	for _, p := range m.Pods {
		require.False(t, p.Workload.GetHasLocalStorage(), "only the DaemonSet pod has a hostPath")
	}
}

func TestWhichPodsMove(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit        func(p *corev1.Pod)
		moved       bool
		boundToNode bool
	}{
		"a running pod moves": {moved: true},
		"a mirror pod stays with its node": {
			edit:        func(p *corev1.Pod) { p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"} },
			boundToNode: true,
		},
		"a DaemonSet pod stays with its node": {
			edit:        func(p *corev1.Pod) { testobj.OwnedBy(p, "DaemonSet", "agent") },
			boundToNode: true,
		},
		"a Succeeded pod has nothing to move": {
			edit: func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded },
		},
		"a Failed pod has nothing to move": {
			edit: func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed },
		},
		"a terminating pod is leaving anyway": {
			edit: func(p *corev1.Pod) {
				p.DeletionTimestamp = &metav1.Time{Time: testobj.Epoch}
				p.Finalizers = []string{"keep"}
			},
		},
		"a pending pod bound to the node moves": {
			edit:  func(p *corev1.Pod) { p.Status.Phase = corev1.PodPending },
			moved: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := testobj.Pod("shop", "app", "web-0")
			if tc.edit != nil {
				tc.edit(p)
			}
			m := gatherOne(t, testobj.Node("web-0", "web", "standard-8"), "standard-8", p)
			require.Equal(t, tc.moved, len(m.Pods) == 1)
			require.Equal(t, tc.boundToNode, len(m.NodeBound) == 1)
		})
	}
}

func TestWorkloadOfAPod(t *testing.T) {
	t.Parallel()
	deploy, rs, pods := testobj.Deployment("shop", "api", 3, "web-0")
	base := func() []runtime.Object { return []runtime.Object{deploy, rs, pods[0]} }
	want := func() *rebalancerv1.Workload {
		return &rebalancerv1.Workload{
			Namespace: "shop", PodName: pods[0].Name, OwnerKind: "Deployment", OwnerName: "api", Replicas: 3,
			CpuRequestMillis: 100, MemoryRequestBytes: 128 << 20,
		}
	}
	cases := map[string]struct {
		objects func() []runtime.Object
		want    func(w *rebalancerv1.Workload)
	}{
		"a Deployment's pod names the Deployment and its replicas": {objects: base},
		"a ReplicaSet without a Deployment names itself": {
			objects: func() []runtime.Object {
				orphan := rs.DeepCopy()
				orphan.OwnerReferences = nil
				orphan.Spec.Replicas = ptr.To[int32](2)
				return []runtime.Object{orphan, pods[0]}
			},
			want: func(w *rebalancerv1.Workload) { w.OwnerKind, w.OwnerName, w.Replicas = "ReplicaSet", rs.Name, 2 },
		},
		"a ReplicaSet not in the cache gives no replica count": {
			objects: func() []runtime.Object { return []runtime.Object{pods[0]} },
			want:    func(w *rebalancerv1.Workload) { w.OwnerKind, w.OwnerName, w.Replicas = "ReplicaSet", rs.Name, 0 },
		},
		"a StatefulSet's pod": {
			objects: func() []runtime.Object {
				sts := testobj.StatefulSet("shop", "db", 2)
				return []runtime.Object{sts, testobj.OwnedBy(testobj.Pod("shop", pods[0].Name, "web-0"), "StatefulSet", "db")}
			},
			want: func(w *rebalancerv1.Workload) {
				w.OwnerKind, w.OwnerName, w.Replicas = "StatefulSet", "db", 2
			},
		},
		"a Job's pod: replicas unknown": {
			objects: func() []runtime.Object {
				return []runtime.Object{testobj.OwnedBy(testobj.Pod("shop", pods[0].Name, "web-0"), "Job", "backup")}
			},
			want: func(w *rebalancerv1.Workload) { w.OwnerKind, w.OwnerName, w.Replicas = "Job", "backup", 0 },
		},
		"a bare pod has no owner": {
			objects: func() []runtime.Object { return []runtime.Object{testobj.Pod("shop", pods[0].Name, "web-0")} },
			want:    func(w *rebalancerv1.Workload) { w.OwnerKind, w.OwnerName, w.Replicas = "", "", 0 },
		},
		"priority and deletion cost": {
			objects: func() []runtime.Object {
				p := pods[0].DeepCopy()
				p.Spec.Priority = ptr.To[int32](1000)
				p.Annotations = map[string]string{corev1.PodDeletionCost: "-50"}
				return []runtime.Object{deploy, rs, p}
			},
			want: func(w *rebalancerv1.Workload) { w.Priority, w.DeletionCost = 1000, -50 },
		},
		"a deletion cost that is not a number counts as none": {
			objects: func() []runtime.Object {
				p := pods[0].DeepCopy()
				p.Annotations = map[string]string{corev1.PodDeletionCost: "lots"}
				return []runtime.Object{deploy, rs, p}
			},
		},
		"opted out by our annotation": {
			objects: func() []runtime.Object {
				p := pods[0].DeepCopy()
				p.Annotations = map[string]string{v1alpha1.AnnotationDoNotDisrupt: "true"}
				return []runtime.Object{deploy, rs, p}
			},
			want: func(w *rebalancerv1.Workload) { w.OptedOut = true },
		},
		"opted out by Cluster Autoscaler's safe-to-evict=false": {
			objects: func() []runtime.Object {
				p := pods[0].DeepCopy()
				p.Annotations = map[string]string{"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}
				return []runtime.Object{deploy, rs, p}
			},
			want: func(w *rebalancerv1.Workload) { w.OptedOut = true },
		},
		"requests of every container": {
			objects: func() []runtime.Object {
				p := testobj.Requests(pods[0].DeepCopy(), "1500m", "2Gi")
				return []runtime.Object{deploy, rs, p}
			},
			want: func(w *rebalancerv1.Workload) { w.CpuRequestMillis, w.MemoryRequestBytes = 1500, 2<<30 },
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := gatherOne(t, testobj.Node("web-0", "web", "standard-8"), "standard-8", tc.objects()...)
			require.Len(t, m.Pods, 1)
			w := want()
			if tc.want != nil {
				tc.want(w)
			}
			require.Equal(t, w.String(), m.Pods[0].Workload.String())
		})
	}
}

func TestRequestedCountsEveryPodHoldingRoom(t *testing.T) {
	t.Parallel()
	done := testobj.Pod("shop", "done", "web-0")
	done.Status.Phase = corev1.PodSucceeded
	agent := testobj.OwnedBy(testobj.Requests(testobj.Pod("kube-system", "agent", "web-0"), "50m", "64Mi"), "DaemonSet", "agent")
	m := gatherOne(t, testobj.Node("web-0", "web", "standard-8"), "standard-8",
		testobj.Requests(testobj.Pod("shop", "app", "web-0"), "1", "1Gi"), agent, done)
	require.EqualValues(t, 1050, m.Requested.MilliCPU)
	require.EqualValues(t, 1088<<20, m.Requested.MemoryBytes)
	require.EqualValues(t, 2, m.Requested.Pods)
}

func TestAMemberThatStaysKeepsItsPodsForTheFitCheck(t *testing.T) {
	t.Parallel()
	done := testobj.Pod("shop", "done", "web-0")
	done.Status.Phase = corev1.PodSucceeded
	leaving := testobj.Pod("shop", "leaving", "web-0")
	leaving.DeletionTimestamp = ptr.To(metav1.NewTime(testobj.Epoch))
	agent := testobj.OwnedBy(testobj.Pod("kube-system", "agent", "web-0"), "DaemonSet", "agent")
	objects := []runtime.Object{testobj.Pod("shop", "app", "web-0"), agent, done, leaving}

	m := gatherOne(t, testobj.Node("web-0", "web", "memory-4"), "standard-8", objects...)
	require.NotEmpty(t, m.Exclusion)
	var staying []string
	for _, p := range m.Staying {
		staying = append(staying, p.Namespace+"/"+p.Name)
	}
	require.Equal(t, []string{"kube-system/agent", "shop/app"}, staying, "finished and terminating pods leave")

	require.Empty(t, gatherOne(t, testobj.Node("web-0", "web", "standard-8"), "standard-8", objects...).Staying,
		"a candidate's pods move or come back on its replacement")
}
