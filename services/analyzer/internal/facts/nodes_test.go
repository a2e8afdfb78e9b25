package facts_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

func gatherOne(t *testing.T, node *corev1.Node, offering string, objects ...runtime.Object) *facts.Member {
	t.Helper()
	cache := state.Static(append(objects, node)...)
	members := facts.Gather(cache, cache.GroupNodes("web"), offering)
	require.Len(t, members, 1)
	return members[0]
}

func TestExclusions(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit func(n *corev1.Node) []runtime.Object
		want string // empty: a candidate
	}{
		"a Ready, schedulable node of the offering is a candidate": {},
		"a node whose Ready condition is False": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Status.Conditions[0].Status = corev1.ConditionFalse
				return nil
			},
			want: "not Ready",
		},
		"a node without a Ready condition": {
			edit: func(n *corev1.Node) []runtime.Object { n.Status.Conditions = nil; return nil },
			want: "not Ready",
		},
		// The Executor waits for a new node the same way (kube.NodeReady): a
		// node that reports Ready while the node controller has not yet
		// lifted its not-ready taint is no candidate, whatever its condition.
		"a node whose Ready condition is True but still tainted not-ready": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}}
				return nil
			},
			want: "not Ready",
		},
		"a node whose Ready condition is True but tainted unreachable": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute}}
				return nil
			},
			want: "not Ready",
		},
		"another NoSchedule taint leaves a node Ready": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule}}
				return nil
			},
		},
		"a cordoned node": {
			edit: func(n *corev1.Node) []runtime.Object { n.Spec.Unschedulable = true; return nil },
			want: "cordoned",
		},
		"a cordoned node with Cluster Autoscaler's taint is draining": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Spec.Unschedulable = true
				n.Spec.Taints = []corev1.Taint{{Key: "ToBeDeletedByClusterAutoscaler", Effect: corev1.TaintEffectNoSchedule}}
				return nil
			},
			want: "already draining (taint ToBeDeletedByClusterAutoscaler)",
		},
		"a cordoned node whose pods are terminating is draining": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Spec.Unschedulable = true
				p := testobj.Pod("shop", "leaving", n.Name)
				p.DeletionTimestamp = &metav1.Time{Time: testobj.Epoch}
				p.Finalizers = []string{"keep"}
				return []runtime.Object{p}
			},
			want: "already draining (pod shop/leaving terminating)",
		},
		"a control-plane node": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Labels["node-role.kubernetes.io/control-plane"] = ""
				return nil
			},
			want: "control-plane node",
		},
		"a node opted out by our annotation": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Annotations = map[string]string{v1alpha1.AnnotationDoNotDisrupt: "true"}
				return nil
			},
			want: "opted out by annotation autoscaler.vpsie.io/do-not-disrupt=true",
		},
		"a node opted out by Karpenter's annotation": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Annotations = map[string]string{"karpenter.sh/do-not-disrupt": "true"}
				return nil
			},
			want: "opted out by annotation karpenter.sh/do-not-disrupt=true",
		},
		"an opt-out annotation set to false does not opt out": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Annotations = map[string]string{v1alpha1.AnnotationDoNotDisrupt: "false"}
				return nil
			},
		},
		"a node being deleted": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.DeletionTimestamp = &metav1.Time{Time: testobj.Epoch}
				n.Finalizers = []string{"keep"}
				return nil
			},
			want: "being deleted",
		},
		"a node of another offering": {
			edit: func(n *corev1.Node) []runtime.Object {
				n.Labels[v1alpha1.LabelInstanceType] = "compute-4"
				return nil
			},
			want: `runs offering "compute-4", not "standard-8"`,
		},
		"a node without a VPSie providerID": {
			edit: func(n *corev1.Node) []runtime.Object { n.Spec.ProviderID = "aws:///i-123"; return nil },
			want: `no VPSie VM in spec.providerID "aws:///i-123"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			n := testobj.Node("web-0", "web", "standard-8")
			var objects []runtime.Object
			if tc.edit != nil {
				objects = tc.edit(n)
			}
			m := gatherOne(t, n, "standard-8", objects...)
			require.Equal(t, tc.want, m.Exclusion)
			require.Equal(t, tc.want == "", m.Candidate())
		})
	}
}

func TestAnyOfferingWhenNoneIsGiven(t *testing.T) {
	t.Parallel()
	m := gatherOne(t, testobj.Node("web-0", "web", "memory-4"), "")
	require.True(t, m.Candidate())
}

func TestMembersAreReadByName(t *testing.T) {
	t.Parallel()
	cache := state.Static(testobj.Node("web-2", "web", "s"), testobj.Node("web-0", "web", "s"),
		testobj.Node("db-0", "db", "s"), testobj.Node("web-1", "web", "s"))
	var names []string
	for _, m := range facts.Gather(cache, cache.GroupNodes("web"), "s") {
		names = append(names, m.Node.Name)
	}
	require.Equal(t, []string{"web-0", "web-1", "web-2"}, names)
}
