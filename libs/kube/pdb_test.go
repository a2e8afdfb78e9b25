package kube

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func pdb(namespace, name string, selector *metav1.LabelSelector) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec:       policyv1.PodDisruptionBudgetSpec{Selector: selector},
	}
}

func labelledPod(namespace, name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: labels}}
}

func TestWhichPodsABudgetSelects(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit    func(b *policyv1.PodDisruptionBudget, p *corev1.Pod)
		selects bool
	}{
		"a selector matching the pod's labels selects it": {selects: true},
		"a nil selector selects nothing, as policy/v1 reads it": {
			edit: func(b *policyv1.PodDisruptionBudget, _ *corev1.Pod) { b.Spec.Selector = nil },
		},
		"an empty selector selects every pod of the namespace": {
			edit:    func(b *policyv1.PodDisruptionBudget, _ *corev1.Pod) { b.Spec.Selector = &metav1.LabelSelector{} },
			selects: true,
		},
		"an empty selector selects a pod without labels": {
			edit: func(b *policyv1.PodDisruptionBudget, p *corev1.Pod) {
				b.Spec.Selector = &metav1.LabelSelector{}
				p.Labels = nil
			},
			selects: true,
		},
		"a pod of another namespace is never selected": {
			edit: func(_ *policyv1.PodDisruptionBudget, p *corev1.Pod) { p.Namespace = "other" },
		},
		"an empty selector does not reach into another namespace": {
			edit: func(b *policyv1.PodDisruptionBudget, p *corev1.Pod) {
				b.Spec.Selector = &metav1.LabelSelector{}
				p.Namespace = "other"
			},
		},
		"a selector the API server would refuse selects nothing": {
			edit: func(b *policyv1.PodDisruptionBudget, _ *corev1.Pod) {
				b.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "app", Operator: "Near", Values: []string{"api"}},
				}}
			},
		},
		"an In expression without values is refused and selects nothing": {
			edit: func(b *policyv1.PodDisruptionBudget, _ *corev1.Pod) {
				b.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "app", Operator: metav1.LabelSelectorOpIn},
				}}
			},
		},
		"a pod with other labels is not selected": {
			edit: func(_ *policyv1.PodDisruptionBudget, p *corev1.Pod) { p.Labels = map[string]string{"app": "web"} },
		},
		"matchExpressions are read with matchLabels": {
			edit: func(b *policyv1.PodDisruptionBudget, p *corev1.Pod) {
				b.Spec.Selector.MatchExpressions = []metav1.LabelSelectorRequirement{
					{Key: "tier", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"batch"}},
				}
				p.Labels["tier"] = "batch"
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := pdb("shop", "api", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}})
			p := labelledPod("shop", "api-0", map[string]string{"app": "api", "pod-template-hash": "abc"})
			if tc.edit != nil {
				tc.edit(b, p)
			}
			s := CompilePDB(b)
			require.Same(t, b, s.PDB)
			require.Equal(t, tc.selects, s.Selects(p))
			require.Equal(t, tc.selects, s.SelectsLabels(p.Namespace, p.Labels), "by namespace and labels alone")
			covering := CoveringPDBs([]*policyv1.PodDisruptionBudget{b}, p)
			require.Equal(t, tc.selects, len(covering) == 1, "CoveringPDBs agrees")
		})
	}
}

func TestCoveringPDBsKeepsTheBudgetsOrder(t *testing.T) {
	t.Parallel()
	api := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}}
	pdbs := []*policyv1.PodDisruptionBudget{
		pdb("shop", "all", &metav1.LabelSelector{}),
		pdb("shop", "none", nil),
		pdb("shop", "web", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}),
		pdb("other", "api", api),
		pdb("shop", "api", api),
	}
	covering := CoveringPDBs(pdbs, labelledPod("shop", "api-0", map[string]string{"app": "api"}))
	require.Equal(t, []string{"shop/all", "shop/api"}, PDBNames(covering))
	require.Empty(t, CoveringPDBs(nil, labelledPod("shop", "api-0", nil)))
}

func TestPDBNamesAreNamespaced(t *testing.T) {
	t.Parallel()
	require.Empty(t, PDBNames(nil))
	require.Equal(t, []string{"shop/api", "billing/api"},
		PDBNames([]*policyv1.PodDisruptionBudget{pdb("shop", "api", nil), pdb("billing", "api", nil)}))
}
