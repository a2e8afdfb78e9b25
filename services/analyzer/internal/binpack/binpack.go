// Package binpack answers whether pods fit on nodes by their requests,
// honouring node selectors, required node affinity and taints, with
// first-fit-decreasing: the largest pods are placed first, each on the
// first node (in the given order) with room left that will take it.
//
// It is a check, not a scheduler: pod affinity, topology spread and
// extended resources are not modelled, so a pass means "enough room of
// the right kind", and a failure names a pod that has none.
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
}

// Pack places items into bins, largest first, and returns every placement
// in the order tried. bins is not modified.
func Pack(items []Item, bins []Bin) []Placement {
	free := make([]Resources, len(bins))
	for i, b := range bins {
		free[i] = b.Free
	}
	out := make([]Placement, 0, len(items))
	for _, it := range largestFirst(items, bins) {
		match := matcherFor(it.Pod)
		placed := -1
		for i := range bins {
			if free[i].covers(it.Need) && match(bins[i].Node) {
				free[i] = free[i].minus(it.Need)
				placed = i
				break
			}
		}
		out = append(out, Placement{Item: it, Bin: placed})
	}
	return out
}

// largestFirst orders items by their share of the largest bin's CPU plus
// their share of its memory, then by namespace and name, so the order
// (and so the placement) is the same on every call.
func largestFirst(items []Item, bins []Bin) []Item {
	var maxCPU, maxMem int64 = 1, 1
	for _, b := range bins {
		maxCPU, maxMem = max(maxCPU, b.Free.MilliCPU), max(maxMem, b.Free.MemoryBytes)
	}
	type sized struct {
		Item
		size float64
	}
	order := make([]sized, len(items))
	for i, it := range items {
		order[i] = sized{Item: it, size: float64(it.Need.MilliCPU)/float64(maxCPU) + float64(it.Need.MemoryBytes)/float64(maxMem)}
	}
	slices.SortFunc(order, func(a, b sized) int {
		return cmp.Or(cmp.Compare(b.size, a.size),
			cmp.Compare(a.Pod.Namespace, b.Pod.Namespace), cmp.Compare(a.Pod.Name, b.Pod.Name))
	})
	out := make([]Item, len(order))
	for i, s := range order {
		out[i] = s.Item
	}
	return out
}

// matcherFor returns whether a node would take the pod by labels and
// taints, as the scheduler's NodeAffinity and TaintToleration filters do.
func matcherFor(pod *corev1.Pod) func(*corev1.Node) bool {
	affinity := nodeaffinity.GetRequiredNodeAffinity(pod)
	return func(node *corev1.Node) bool {
		if ok, err := affinity.Match(node); err != nil || !ok {
			return false
		}
		_, untolerated := v1helper.FindMatchingUntoleratedTaint(klog.Background(), node.Spec.Taints, pod.Spec.Tolerations,
			func(t *corev1.Taint) bool {
				return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
			}, false)
		return !untolerated
	}
}

// Fits reports whether a node would take the pod by labels and taints alone.
func Fits(pod *corev1.Pod, node *corev1.Node) bool { return matcherFor(pod)(node) }
