package facts

import (
	policyv1 "k8s.io/api/policy/v1"

	"github.com/vpsie/node-rebalancer/libs/kube"
)

// budgets matches pods to the PodDisruptionBudgets of their namespace,
// compiling each namespace's selectors once per analysis.
type budgets struct {
	r           Reader
	byNamespace map[string][]kube.PDBSelector
}

func newBudgets(r Reader) *budgets {
	return &budgets{r: r, byNamespace: map[string][]kube.PDBSelector{}}
}

// matching returns the budgets that cover a pod of namespace with
// podLabels, as the Eviction API reads them (kube.CompilePDB).
func (b *budgets) matching(namespace string, podLabels map[string]string) []*policyv1.PodDisruptionBudget {
	compiled, ok := b.byNamespace[namespace]
	if !ok {
		for _, pdb := range b.r.PDBs(namespace) {
			compiled = append(compiled, kube.CompilePDB(pdb))
		}
		b.byNamespace[namespace] = compiled
	}
	var out []*policyv1.PodDisruptionBudget
	for _, c := range compiled {
		if c.SelectsLabels(namespace, podLabels) {
			out = append(out, c.PDB)
		}
	}
	return out
}
