package binpack

import "fmt"

// explain says which rule kept item i off every node with room for it,
// for Placement.Blocked: the rule, the pods it names, and the numbers
// that make it unsatisfiable.
func (t *topology) explain(i int, c conflict, f nodeFilter) string {
	r := &t.items[i]
	set := t.sets[c.set].describe(r.pod.Namespace)
	switch c.kind {
	case antiAffinityConflict:
		if pods, nodes := t.population[c.set], t.nodesTaking(f); pods > nodes {
			return fmt.Sprintf("has required anti-affinity on %s (%s): %d matching pods, %d nodes it may run on",
				hostname, set, pods, nodes)
		}
		return fmt.Sprintf("has required anti-affinity on %s (%s): every node with room for it already runs a matching pod",
			hostname, set)
	case repelledConflict:
		other := t.repeller[c.set]
		return fmt.Sprintf("is kept off every node with room for it by the required anti-affinity on %s of pods such as %s/%s (%s)",
			hostname, other.Namespace, other.Name, set)
	case spreadConflict:
		sp := r.spread[c.spread]
		return fmt.Sprintf("has a DoNotSchedule topology spread on %s (%s, maxSkew %d): every node with room for it "+
			"would exceed the skew (%d matching pods, %d nodes it may run on)",
			hostname, set, sp.maxSkew, t.population[c.set], t.nodesTaking(f))
	case affinityConflict:
		if t.onBins[c.set] == 0 {
			return fmt.Sprintf("has required pod affinity on %s (%s): no matching pod runs on the nodes", hostname, set)
		}
		return fmt.Sprintf("has required pod affinity on %s (%s): no node running a matching pod has room for it", hostname, set)
	}
	return "breaks a rule between pods"
}

// nodesTaking counts the bins that take the pod by labels and taints.
func (t *topology) nodesTaking(f nodeFilter) int {
	n := 0
	for _, b := range t.bins {
		if f.admits(b.Node) {
			n++
		}
	}
	return n
}
