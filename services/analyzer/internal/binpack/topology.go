package binpack

import (
	"math"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// topology keeps the rules between pods on kubernetes.io/hostname as the
// scheduler's InterPodAffinity and PodTopologySpread filters do, for the
// packing's pods only:
//
//   - required anti-affinity: a pod goes on no node running a pod its
//     term selects, nor on a node running a pod whose term selects it;
//   - required affinity: a pod goes on a node running a pod its term
//     selects, or anywhere when no such pod runs yet and it selects itself
//     (the first of a series). Such pods are placed last (largestFirst);
//   - DoNotSchedule spread: a pod goes on a node where its set's pods,
//     itself included, exceed the fewest on any domain by at most maxSkew.
//     Domains are the nodes the pod selects by node affinity (the default
//     nodeAffinityPolicy Honor) whatever their taints (the default
//     nodeTaintsPolicy Ignore: a tainted node with none of the set keeps
//     the minimum at 0, as with the scheduler); fewer than minDomains make
//     the minimum 0.
//
// Only the bins count: the group's nodes after the rebalance. Nodes outside
// the group and members that take no pods (cordoned, not Ready) are not
// domains, as they hold no room in the packing either.
//
// Pods are counted per set a rule names (a label selector over some
// namespaces), and a pod is tested only against the sets of its own
// namespace and those spanning every namespace, so the work grows with
// pods times the rules of their namespace, not with pairs of pods; a
// workload's replicas share one set.
type topology struct {
	bins []Bin
	sets []podSet
	ids  map[string]int
	// byNamespace indexes the sets by namespace; anyNamespace are the sets
	// spanning every namespace.
	byNamespace  map[string][]int
	anyNamespace []int
	// onBin[set][bin] counts the set's pods on the bin, staying or placed.
	onBin [][]int32
	// onBins[set] counts them on every bin together.
	onBins []int
	// population[set] counts the set's pods among bin pods and items.
	population []int
	// repels[set][bin] counts pods on the bin whose required
	// anti-affinity names the set; nil until one does.
	repels [][]int32
	// repeller[set] is one such pod, for messages.
	repeller []*corev1.Pod
	// items are the rules of each item, in packing order.
	items []rules
}

// repel is a staying pod whose anti-affinity names a set.
type repel struct {
	set, bin int
	pod      *corev1.Pod
}

// newTopology reads the rules of the items (in packing order) and of the
// pods staying on the bins, and counts the staying pods. It returns nil
// when no pod brings a rule, so packing without rules costs nothing more.
func newTopology(order []Item, bins []Bin) *topology {
	if !anyRules(order, bins) {
		return nil
	}
	t := &topology{bins: bins, ids: map[string]int{}, items: make([]rules, len(order))}
	for i, it := range order {
		t.items[i] = t.rulesOf(it.Pod)
	}
	var staying []repel
	for b, bin := range bins {
		for _, p := range bin.Pods {
			for _, s := range t.antiAffinityOf(p) {
				staying = append(staying, repel{set: s, bin: b, pod: p})
			}
		}
	}
	if len(t.sets) == 0 {
		return nil
	}
	t.index()
	t.countStaying()
	for _, r := range staying {
		t.repelAt(r.set, r.bin, r.pod)
	}
	t.countItems()
	return t
}

// anyRules reports whether an item or a staying pod brings a rule the
// packing keeps: a cheap look before anything is allocated.
func anyRules(order []Item, bins []Bin) bool {
	for _, it := range order {
		if slices.ContainsFunc(requiredAntiAffinity(it.Pod), onHostname) || followsOthers(it.Pod) ||
			slices.ContainsFunc(it.Pod.Spec.TopologySpreadConstraints, keepsSpread) {
			return true
		}
	}
	for _, b := range bins {
		for _, p := range b.Pods {
			if slices.ContainsFunc(requiredAntiAffinity(p), onHostname) {
				return true
			}
		}
	}
	return false
}

// intern returns the index of s, adding it when new.
func (t *topology) intern(s podSet) int {
	key := s.key()
	if id, ok := t.ids[key]; ok {
		return id
	}
	t.ids[key] = len(t.sets)
	t.sets = append(t.sets, s)
	return len(t.sets) - 1
}

// rulesOf reads the rules of a pod to place. Rules on other keys than
// hostname are left out (see the package comment), as are ScheduleAnyway
// spreads and preferred terms: they are preferences.
func (t *topology) rulesOf(p *corev1.Pod) rules {
	r := rules{pod: p, antiAffinity: t.antiAffinityOf(p)}
	terms := requiredAffinity(p)
	for i := range terms {
		if s, ok := termSet(p, &terms[i]); ok && onHostname(terms[i]) {
			r.affinity = append(r.affinity, t.intern(s))
		}
	}
	for i := range p.Spec.TopologySpreadConstraints {
		c := &p.Spec.TopologySpreadConstraints[i]
		if !keepsSpread(*c) {
			continue
		}
		if s, ok := spreadSet(p, c); ok {
			r.spread = append(r.spread, newSpread(t.intern(s), c))
		}
	}
	return r
}

// antiAffinityOf interns the sets the pod's required anti-affinity on
// hostname names.
func (t *topology) antiAffinityOf(p *corev1.Pod) []int {
	var out []int
	terms := requiredAntiAffinity(p)
	for i := range terms {
		if s, ok := termSet(p, &terms[i]); ok && onHostname(terms[i]) {
			out = append(out, t.intern(s))
		}
	}
	return out
}

// index sizes the counts and indexes the sets by namespace.
func (t *topology) index() {
	n := len(t.sets)
	t.onBin, t.onBins, t.population = make([][]int32, n), make([]int, n), make([]int, n)
	t.repels, t.repeller = make([][]int32, n), make([]*corev1.Pod, n)
	t.byNamespace = map[string][]int{}
	for id, s := range t.sets {
		t.onBin[id] = make([]int32, len(t.bins))
		if s.anyNamespace {
			t.anyNamespace = append(t.anyNamespace, id)
		}
		for _, ns := range s.namespaces {
			t.byNamespace[ns] = append(t.byNamespace[ns], id)
		}
	}
}

// setsOf returns the sets the pod is in.
func (t *topology) setsOf(p *corev1.Pod) []int {
	var out []int
	podLabels := labels.Set(p.Labels)
	for _, ids := range [][]int{t.byNamespace[p.Namespace], t.anyNamespace} {
		for _, id := range ids {
			if t.sets[id].selector.Matches(podLabels) {
				out = append(out, id)
			}
		}
	}
	return out
}

func (t *topology) countStaying() {
	for b, bin := range t.bins {
		for _, p := range bin.Pods {
			for _, s := range t.setsOf(p) {
				t.onBin[s][b]++
				t.onBins[s]++
				t.population[s]++
			}
		}
	}
}

func (t *topology) countItems() {
	for i := range t.items {
		r := &t.items[i]
		r.memberOf = t.setsOf(r.pod)
		for _, s := range r.memberOf {
			t.population[s]++
		}
		for k := range r.spread {
			r.spread[k].selfMatch = slices.Contains(r.memberOf, r.spread[k].set)
		}
	}
}

func (t *topology) repelAt(set, bin int, p *corev1.Pod) {
	if t.repels[set] == nil {
		t.repels[set] = make([]int32, len(t.bins))
	}
	t.repels[set][bin]++
	if t.repeller[set] == nil {
		t.repeller[set] = p
	}
}

// place records item i on bin b.
func (t *topology) place(i, b int) {
	if t == nil {
		return
	}
	r := &t.items[i]
	for _, s := range r.memberOf {
		t.onBin[s][b]++
		t.onBins[s]++
	}
	for _, s := range r.antiAffinity {
		t.repelAt(s, b, r.pod)
	}
}

// checker tests one item's rules against each bin; the zero checker
// (no rules anywhere) accepts every bin.
type checker struct {
	t *topology
	r *rules
	// minimum is the global minimum of each of r.spread, fixed while the
	// item is placed.
	minimum []int
}

func (t *topology) checkerFor(i int, f nodeFilter) checker {
	if t == nil {
		return checker{}
	}
	c := checker{t: t, r: &t.items[i]}
	for _, sp := range c.r.spread {
		c.minimum = append(c.minimum, t.globalMinimum(sp, f))
	}
	return c
}

// globalMinimum is the fewest pods of the spread's set on a domain (see
// topology).
func (t *topology) globalMinimum(sp spread, f nodeFilter) int {
	lowest, domains := int32(math.MaxInt32), 0
	for b, bin := range t.bins {
		if (sp.honourAffinity && !f.selects(bin.Node)) || (sp.honourTaints && !f.tolerates(bin.Node)) {
			continue
		}
		domains++
		lowest = min(lowest, t.onBin[sp.set][b])
	}
	if domains == 0 || domains < sp.minDomains {
		return 0
	}
	return int(lowest)
}

// conflictKind is which rule keeps a pod off a node.
type conflictKind int

const (
	antiAffinityConflict conflictKind = iota // its own anti-affinity
	repelledConflict                         // another pod's anti-affinity
	spreadConflict
	affinityConflict
)

// conflict is the first rule that keeps a pod off a node.
type conflict struct {
	kind conflictKind
	set  int
	// spread indexes the item's spreads, for a spreadConflict.
	spread int
}

// conflictOn returns the first rule placing the item on bin b would
// break, if any.
func (c checker) conflictOn(b int) (conflict, bool) {
	if c.r == nil {
		return conflict{}, false
	}
	t, r := c.t, c.r
	for _, s := range r.antiAffinity {
		if t.onBin[s][b] > 0 {
			return conflict{kind: antiAffinityConflict, set: s}, true
		}
	}
	for _, s := range r.memberOf {
		if t.repels[s] != nil && t.repels[s][b] > 0 {
			return conflict{kind: repelledConflict, set: s}, true
		}
	}
	for k, sp := range r.spread {
		if int(t.onBin[sp.set][b])+btoi(sp.selfMatch)-c.minimum[k] > sp.maxSkew {
			return conflict{kind: spreadConflict, set: sp.set, spread: k}, true
		}
	}
	for _, s := range r.affinity {
		firstOfItsKind := t.onBins[s] == 0 && slices.Contains(r.memberOf, s)
		if t.onBin[s][b] == 0 && !firstOfItsKind {
			return conflict{kind: affinityConflict, set: s}, true
		}
	}
	return conflict{}, false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
