// Package binpack answers whether pods fit on nodes by their requests,
// honouring node selectors, required node affinity and taints, with
// first-fit-decreasing: the largest pods are placed first, each on the
// first node (in the given order) with room left that will take it.
//
// Pods are also kept apart or together as the scheduler would on
// kubernetes.io/hostname (see topology.go): required pod anti-affinity,
// required pod affinity, and topology spread constraints that are
// DoNotSchedule. Rules on other keys (zone, region) are not modelled:
// a group's nodes are all in its one datacenter before and after a
// rebalance, so a zone-level rule that holds today holds afterwards.
//
// It is a check, not a scheduler: preferred (soft) rules, ScheduleAnyway
// spreads and extended resources are not modelled, and a greedy packing
// may miss a placement a search would find, so a pass means "enough room
// of the right kind", and a failure names a pod that found none.
package binpack

import (
	"cmp"
	"slices"

	corev1 "k8s.io/api/core/v1"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"
)

// Resources are what a pod requests or a node has left.
type Resources struct {
	MilliCPU    int64
	MemoryBytes int64
	Pods        int64
}

func (r Resources) covers(need Resources) bool {
	return r.MilliCPU >= need.MilliCPU && r.MemoryBytes >= need.MemoryBytes && r.Pods >= need.Pods
}

// Plus adds x.
func (r Resources) Plus(x Resources) Resources {
	return Resources{MilliCPU: r.MilliCPU + x.MilliCPU, MemoryBytes: r.MemoryBytes + x.MemoryBytes, Pods: r.Pods + x.Pods}
}

// Minus takes x away.
func (r Resources) Minus(x Resources) Resources { return r.minus(x) }

func (r Resources) minus(x Resources) Resources {
	return Resources{MilliCPU: r.MilliCPU - x.MilliCPU, MemoryBytes: r.MemoryBytes - x.MemoryBytes, Pods: r.Pods - x.Pods}
}

// Bin is a node with the room it has left.
type Bin struct {
	// Node gives the labels and taints a pod must match.
	Node *corev1.Node
	Free Resources
	// Pods run on the node and stay there. Their room is already out of
	// Free; they are read for pod (anti-)affinity and topology spread.
	Pods []*corev1.Pod
}

// Item is a pod to place.
type Item struct {
	Pod  *corev1.Pod
	Need Resources
}

// Placement is where an item went; Bin is -1 when it fits nowhere.
type Placement struct {
	Item Item
	Bin  int
	// Blocked says, when the item fits nowhere although some node has
	// room for it and takes it by labels and taints, which rule between
	// pods keeps it off those nodes, e.g. "has required anti-affinity on
	// kubernetes.io/hostname (app=web): 4 matching pods, 3 nodes it may
	// run on". Empty when no node had room.
	Blocked string
}

// Pack places items into bins, largest first, and returns every placement
// in the order tried. bins is not modified.
func Pack(items []Item, bins []Bin) []Placement {
	free := make([]Resources, len(bins))
	for i, b := range bins {
		free[i] = b.Free
	}
	order := largestFirst(items, bins)
	topo := newTopology(order, bins)
	out := make([]Placement, 0, len(order))
	for i, it := range order {
		out = append(out, placeOne(i, it, bins, free, topo))
	}
	return out
}

// placeOne puts order[i] on the first bin with room that takes it by
// labels and taints and breaks no rule between pods, taking the room.
func placeOne(i int, it Item, bins []Bin, free []Resources, topo *topology) Placement {
	filter := filterFor(it.Pod)
	rules := topo.checkerFor(i, filter)
	var first conflict
	blocked := false
	for b := range bins {
		if !free[b].covers(it.Need) {
			continue
		}
		// The rules are array lookups, the filter is not: ask it only of
		// a bin that may take the pod, or to find the first rule to name.
		if c, breaks := rules.conflictOn(b); breaks {
			if !blocked && filter.admits(bins[b].Node) {
				first, blocked = c, true
			}
			continue
		}
		if !filter.admits(bins[b].Node) {
			continue
		}
		free[b] = free[b].minus(it.Need)
		topo.place(i, b)
		return Placement{Item: it, Bin: b}
	}
	p := Placement{Item: it, Bin: -1}
	if blocked {
		p.Blocked = topo.explain(i, first, filter)
	}
	return p
}

// largestFirst orders items by their share of the largest bin's CPU plus
// their share of its memory, then by namespace and name, so the order
// (and so the placement) is the same on every call. Pods with required
// pod affinity come last, so the pods they must join are placed first.
func largestFirst(items []Item, bins []Bin) []Item {
	var maxCPU, maxMem int64 = 1, 1
	for _, b := range bins {
		maxCPU, maxMem = max(maxCPU, b.Free.MilliCPU), max(maxMem, b.Free.MemoryBytes)
	}
	type sized struct {
		Item
		follows bool
		size    float64
	}
	order := make([]sized, len(items))
	for i, it := range items {
		order[i] = sized{Item: it, follows: followsOthers(it.Pod),
			size: float64(it.Need.MilliCPU)/float64(maxCPU) + float64(it.Need.MemoryBytes)/float64(maxMem)}
	}
	slices.SortFunc(order, func(a, b sized) int {
		return cmp.Or(compareBool(a.follows, b.follows), cmp.Compare(b.size, a.size),
			cmp.Compare(a.Pod.Namespace, b.Pod.Namespace), cmp.Compare(a.Pod.Name, b.Pod.Name))
	})
	out := make([]Item, len(order))
	for i, s := range order {
		out[i] = s.Item
	}
	return out
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}

// nodeFilter says whether a node would take a pod by labels and taints, as
// the scheduler's NodeAffinity and TaintToleration filters do.
type nodeFilter struct {
	affinity    nodeaffinity.RequiredNodeAffinity
	tolerations []corev1.Toleration
}

func filterFor(pod *corev1.Pod) nodeFilter {
	return nodeFilter{affinity: nodeaffinity.GetRequiredNodeAffinity(pod), tolerations: pod.Spec.Tolerations}
}

func (f nodeFilter) admits(node *corev1.Node) bool { return f.selects(node) && f.tolerates(node) }

// selects: the node matches the pod's node selector and required node
// affinity.
func (f nodeFilter) selects(node *corev1.Node) bool {
	ok, err := f.affinity.Match(node)
	return err == nil && ok
}

// tolerates: the pod tolerates every NoSchedule and NoExecute taint of
// the node.
func (f nodeFilter) tolerates(node *corev1.Node) bool {
	_, untolerated := v1helper.FindMatchingUntoleratedTaint(klog.Background(), node.Spec.Taints, f.tolerations,
		func(t *corev1.Taint) bool {
			return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
		}, false)
	return !untolerated
}

// Fits reports whether a node would take the pod by labels and taints alone.
func Fits(pod *corev1.Pod, node *corev1.Node) bool { return filterFor(pod).admits(node) }
