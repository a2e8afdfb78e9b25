package facts_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

func TestPDBsMatchBySelector(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit func(pdb *policyv1.PodDisruptionBudget, pod *corev1.Pod)
		want []string
	}{
		"matchLabels equal to the pod's labels": {want: []string{"api"}},
		"matchLabels of another app": {
			edit: func(pdb *policyv1.PodDisruptionBudget, _ *corev1.Pod) {
				pdb.Spec.Selector.MatchLabels = map[string]string{"app": "web"}
			},
		},
		"a subset of the pod's labels": {
			edit: func(_ *policyv1.PodDisruptionBudget, pod *corev1.Pod) { pod.Labels["tier"] = "backend" },
			want: []string{"api"},
		},
		"a matchExpression In": {
			edit: func(pdb *policyv1.PodDisruptionBudget, _ *corev1.Pod) {
				pdb.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
					Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"api", "web"}}}}
			},
			want: []string{"api"},
		},
		"a matchExpression NotIn": {
			edit: func(pdb *policyv1.PodDisruptionBudget, _ *corev1.Pod) {
				pdb.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
					Key: "app", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"api"}}}}
			},
		},
		"an empty selector selects every pod of the namespace": {
			edit: func(pdb *policyv1.PodDisruptionBudget, _ *corev1.Pod) { pdb.Spec.Selector = &metav1.LabelSelector{} },
			want: []string{"api"},
		},
		"a nil selector selects nothing": {
			edit: func(pdb *policyv1.PodDisruptionBudget, _ *corev1.Pod) { pdb.Spec.Selector = nil },
		},
		"a selector the API server would refuse selects nothing": {
			edit: func(pdb *policyv1.PodDisruptionBudget, _ *corev1.Pod) {
				pdb.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
					Key: "app", Operator: metav1.LabelSelectorOpIn}}}
			},
		},
		"a budget of another namespace": {
			edit: func(pdb *policyv1.PodDisruptionBudget, _ *corev1.Pod) { pdb.Namespace = "other" },
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pdb := testobj.PDB("shop", "api", "api", 3, 1)
			pod := testobj.Pod("shop", "api", "web-0")
			if tc.edit != nil {
				tc.edit(pdb, pod)
			}
			m := gatherOne(t, testobj.Node("web-0", "web", "standard-8"), "standard-8", pdb, pod)
			require.Len(t, m.Pods, 1)
			require.Equal(t, tc.want, m.Pods[0].Workload.GetPdbNames())
			require.Len(t, m.Pods[0].PDBs, len(tc.want))
		})
	}
}

func TestSeveralPDBsOnOnePodAreAllNamed(t *testing.T) {
	t.Parallel()
	m := gatherOne(t, testobj.Node("web-0", "web", "standard-8"), "standard-8",
		testobj.PDB("shop", "api-b", "api", 3, 1), testobj.PDB("shop", "api-a", "api", 3, 1), testobj.Pod("shop", "api", "web-0"))
	require.Equal(t, []string{"api-a", "api-b"}, m.Pods[0].Workload.GetPdbNames())
}
