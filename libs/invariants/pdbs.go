package invariants

import (
	"context"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"
)

// pdbSeen remembers every pod a budget recorded as disrupted: the Eviction
// API writes the pod into status.disruptedPods before it deletes it, so a
// pod of a covered workload that leaves without appearing there left
// without the budget's consent.
func (m *Monitor) pdbSeen(obj any) {
	pdb, ok := obj.(*policyv1.PodDisruptionBudget)
	if !ok {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for pod := range pdb.Status.DisruptedPods {
		m.disrupted[pdb.Namespace+"/"+pod] = true
	}
}

func (m *Monitor) podUpdated(oldObj, newObj any) {
	before, ok1 := oldObj.(*corev1.Pod)
	after, ok2 := newObj.(*corev1.Pod)
	if ok1 && ok2 && before.DeletionTimestamp == nil && after.DeletionTimestamp != nil {
		m.podLeaving(after)
	}
}

func (m *Monitor) podDeleted(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	if pod, ok := obj.(*corev1.Pod); ok && pod.DeletionTimestamp == nil {
		m.podLeaving(pod) // deleted without a grace period: seen only now
	}
}

// podLeaving checks, after a grace for the budget's record to arrive, that
// a pod covered by a PDB left through the Eviction API or was forced on
// purpose.
func (m *Monitor) podLeaving(pod *corev1.Pod) {
	covering := m.covering(pod)
	if len(covering) == 0 || !podReady(pod) {
		// A pod not Ready is no healthy pod of its budget: the Eviction
		// API admits it without recording a disruption, and its leaving
		// costs the budget nothing.
		return
	}
	key := pod.Namespace + "/" + pod.Name
	m.mu.Lock()
	if m.finishing {
		m.mu.Unlock()
		return // after Finish began: outside the watched run
	}
	m.pending.Add(1)
	m.mu.Unlock()
	time.AfterFunc(m.cfg.Grace, func() {
		defer m.pending.Done()
		if m.consented(key, covering) || slices.Contains(m.cfg.Forced(), key) {
			return
		}
		m.violate("PDB", "pod %s of PDB %s was deleted without the budget's consent (not through the Eviction API, not a reported forced drain)",
			key, strings.Join(names(covering), ","))
	})
}

// consented reports whether a budget recorded the pod's eviction, in an
// event seen or in its current status.
func (m *Monitor) consented(key string, covering []*policyv1.PodDisruptionBudget) bool {
	m.mu.Lock()
	seen := m.disrupted[key]
	m.mu.Unlock()
	if seen {
		return true
	}
	_, pod, _ := strings.Cut(key, "/")
	for _, c := range covering {
		live, err := m.cfg.Client.PolicyV1().PodDisruptionBudgets(c.Namespace).Get(context.Background(), c.Name, metav1.GetOptions{})
		if err == nil {
			if _, ok := live.Status.DisruptedPods[pod]; ok {
				return true
			}
		}
	}
	return false
}

// covering lists the PDBs selecting the pod.
func (m *Monitor) covering(pod *corev1.Pod) []*policyv1.PodDisruptionBudget {
	var out []*policyv1.PodDisruptionBudget
	for _, obj := range m.pdbs.GetStore().List() {
		pdb := obj.(*policyv1.PodDisruptionBudget)
		if pdb.Namespace != pod.Namespace || pdb.Spec.Selector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err == nil && sel.Matches(labels.Set(pod.Labels)) {
			out = append(out, pdb)
		}
	}
	return out
}

func names(pdbs []*policyv1.PodDisruptionBudget) []string {
	out := make([]string, len(pdbs))
	for i, p := range pdbs {
		out[i] = p.Namespace + "/" + p.Name
	}
	return out
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
