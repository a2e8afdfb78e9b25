package facts

import (
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// budgets matches pods to the PodDisruptionBudgets of their namespace,
// compiling each namespace's selectors once per analysis.
type budgets struct {
	r           Reader
	byNamespace map[string][]budget
}

type budget struct {
	pdb      *policyv1.PodDisruptionBudget
	selector labels.Selector
}

func newBudgets(r Reader) *budgets {
	return &budgets{r: r, byNamespace: map[string][]budget{}}
}

// matching returns the budgets whose selector selects the pod's labels.
// As the Eviction API reads policy/v1: a nil selector selects nothing, an
// empty one every pod of the namespace.
func (b *budgets) matching(namespace string, podLabels map[string]string) []*policyv1.PodDisruptionBudget {
	compiled, ok := b.byNamespace[namespace]
	if !ok {
		for _, pdb := range b.r.PDBs(namespace) {
			sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
			if err != nil {
				continue // the API server refuses such a selector; nothing can match it
			}
			compiled = append(compiled, budget{pdb: pdb, selector: sel})
		}
		b.byNamespace[namespace] = compiled
	}
	var out []*policyv1.PodDisruptionBudget
	set := labels.Set(podLabels)
	for _, c := range compiled {
		if c.selector.Matches(set) {
			out = append(out, c.pdb)
		}
	}
	return out
}
