package kube

import (
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// PDBSelector is a PodDisruptionBudget with its selector compiled once,
// for callers that match many pods against the same budgets.
type PDBSelector struct {
	PDB      *policyv1.PodDisruptionBudget
	selector labels.Selector
}

// CompilePDB compiles pdb's selector as the Eviction API reads policy/v1:
// a nil selector selects no pod, an empty one every pod of the namespace.
// A selector the API server would refuse selects nothing.
func CompilePDB(pdb *policyv1.PodDisruptionBudget) PDBSelector {
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		sel = labels.Nothing()
	}
	return PDBSelector{PDB: pdb, selector: sel}
}

// Selects reports whether the budget covers pod: same namespace and a
// selector matching its labels.
func (s PDBSelector) Selects(pod *corev1.Pod) bool {
	return s.PDB.Namespace == pod.Namespace && s.selector.Matches(labels.Set(pod.Labels))
}

// SelectsLabels is Selects for a pod known only by namespace and labels.
func (s PDBSelector) SelectsLabels(namespace string, podLabels map[string]string) bool {
	return s.PDB.Namespace == namespace && s.selector.Matches(labels.Set(podLabels))
}

// CoveringPDBs returns the budgets among pdbs that cover pod.
func CoveringPDBs(pdbs []*policyv1.PodDisruptionBudget, pod *corev1.Pod) []*policyv1.PodDisruptionBudget {
	var out []*policyv1.PodDisruptionBudget
	for _, pdb := range pdbs {
		if CompilePDB(pdb).Selects(pod) {
			out = append(out, pdb)
		}
	}
	return out
}

// PDBNames names budgets as "namespace/name", the form events and
// failures report.
func PDBNames(pdbs []*policyv1.PodDisruptionBudget) []string {
	out := make([]string, len(pdbs))
	for i, p := range pdbs {
		out[i] = p.Namespace + "/" + p.Name
	}
	return out
}
