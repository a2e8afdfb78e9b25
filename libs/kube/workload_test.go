package kube

import (
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func controlledBy(kind, name string) []metav1.OwnerReference {
	yes := true
	return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name, UID: types.UID("uid-" + name), Controller: &yes}}
}

func TestTheWorkloadThatOwnsAPod(t *testing.T) {
	t.Parallel()
	deployment := Workload{Kind: "Deployment", Namespace: "shop", Name: "api"}
	replicaSet := Workload{Kind: "ReplicaSet", Namespace: "shop", Name: "api-7d9f"}
	cases := map[string]struct {
		edit       func(p *corev1.Pod, rs *appsv1.ReplicaSet, found *bool)
		controller Workload
		owning     Workload
	}{
		"a ReplicaSet's pod of a Deployment is the Deployment's": {controller: replicaSet, owning: deployment},
		"a pod no controller owns has no workload": {
			edit: func(p *corev1.Pod, _ *appsv1.ReplicaSet, _ *bool) { p.OwnerReferences = nil },
		},
		"an owner that is not the controller is no workload": {
			edit: func(p *corev1.Pod, _ *appsv1.ReplicaSet, _ *bool) { p.OwnerReferences[0].Controller = nil },
		},
		"a ReplicaSet no Deployment owns is the ReplicaSet": {
			edit:       func(_ *corev1.Pod, rs *appsv1.ReplicaSet, _ *bool) { rs.OwnerReferences = nil },
			controller: replicaSet, owning: replicaSet,
		},
		"a ReplicaSet controlled by something else is the ReplicaSet": {
			edit: func(_ *corev1.Pod, rs *appsv1.ReplicaSet, _ *bool) {
				rs.OwnerReferences = controlledBy("Rollout", "api")
			},
			controller: replicaSet, owning: replicaSet,
		},
		"a ReplicaSet the lookup cannot find is the ReplicaSet": {
			edit:       func(_ *corev1.Pod, _ *appsv1.ReplicaSet, found *bool) { *found = false },
			controller: replicaSet, owning: replicaSet,
		},
		"a StatefulSet's pod is the StatefulSet's": {
			edit: func(p *corev1.Pod, _ *appsv1.ReplicaSet, _ *bool) {
				p.OwnerReferences = controlledBy("StatefulSet", "db")
			},
			controller: Workload{Kind: "StatefulSet", Namespace: "shop", Name: "db"},
			owning:     Workload{Kind: "StatefulSet", Namespace: "shop", Name: "db"},
		},
		"a DaemonSet's pod is the DaemonSet's": {
			edit: func(p *corev1.Pod, _ *appsv1.ReplicaSet, _ *bool) {
				p.OwnerReferences = controlledBy("DaemonSet", "agent")
			},
			controller: Workload{Kind: "DaemonSet", Namespace: "shop", Name: "agent"},
			owning:     Workload{Kind: "DaemonSet", Namespace: "shop", Name: "agent"},
		},
		"the controller is found among other owners": {
			edit: func(p *corev1.Pod, _ *appsv1.ReplicaSet, _ *bool) {
				p.OwnerReferences = append([]metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "cfg"}},
					p.OwnerReferences...)
			},
			controller: replicaSet, owning: deployment,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := labelledPod("shop", "api-7d9f-x2", nil)
			p.OwnerReferences = controlledBy("ReplicaSet", "api-7d9f")
			rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{
				Namespace: "shop", Name: "api-7d9f", OwnerReferences: controlledBy("Deployment", "api"),
			}}
			found := true
			if tc.edit != nil {
				tc.edit(p, rs, &found)
			}
			var looked []string
			lookup := func(namespace, name string) (*appsv1.ReplicaSet, bool) {
				looked = append(looked, namespace+"/"+name)
				if !found || namespace != rs.Namespace || name != rs.Name {
					return nil, false
				}
				return rs, true
			}
			require.Equal(t, tc.controller, Controller(p))
			require.Equal(t, tc.owning, OwningWorkload(p, lookup))
			if tc.controller.Kind == "ReplicaSet" {
				require.Equal(t, []string{"shop/api-7d9f"}, looked, "the ReplicaSet is looked up in the pod's namespace")
			} else {
				require.Empty(t, looked, "only a ReplicaSet is looked up")
			}
		})
	}
}

func TestWorkloadNames(t *testing.T) {
	t.Parallel()
	require.Empty(t, Workload{}.String(), "no controller")
	require.Equal(t, "Deployment/shop/api", Workload{Kind: "Deployment", Namespace: "shop", Name: "api"}.String())
}

func TestDesiredReplicasDefaultsToOne(t *testing.T) {
	t.Parallel()
	require.EqualValues(t, 1, DesiredReplicas(nil), "unset is the API server's default of 1")
	require.EqualValues(t, 0, DesiredReplicas(int32Ptr(0)), "scaled to zero")
	require.EqualValues(t, 3, DesiredReplicas(int32Ptr(3)))
}

func int32Ptr(n int32) *int32 { return &n }
