package checks

import (
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/binpack"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
)

// defaultMemoryReserve is what a kubelet keeps from pods when nothing else
// is known: its default hard eviction threshold.
var defaultMemoryReserve = resource.MustParse("100Mi")

// Fit fails when the pods of the candidates would not fit, by requests,
// on the group once every candidate is replaced: the members that stay,
// plus one node of the target offering per candidate (less what the
// DaemonSet and mirror pods of its old node take back on it). Only the
// group's nodes are counted, so the answer holds even for pods that are
// not pinned to the group.
//
// The packing keeps pods apart or together as their required pod
// (anti-)affinity and DoNotSchedule topology spread on
// kubernetes.io/hostname ask (see package binpack): replacements are
// often smaller, so a workload with one replica per node can fit by
// room but not by placement, and the rebalance would leave it Pending.
//
// First, the largest pod must fit the target offering: a pod requesting
// more CPU or memory than a target node's allocatable fails by name even
// when a staying member has room today, since the opportunity moves the
// group to that offering and the pod could never run on it.
func Fit(in *Input) Result {
	candidates := in.candidates()
	bins := stayingBins(in)
	staying := len(bins)
	var items []binpack.Item
	var blockers []Blocker
	for _, m := range candidates {
		bins = append(bins, replacementBin(in, m))
		alloc := targetAllocatable(in.Offer.Target.CPU, in.Offer.Target.RAMMB, m.Node)
		for _, p := range m.Pods {
			if p.Need.MilliCPU > alloc.MilliCPU || p.Need.MemoryBytes > alloc.MemoryBytes {
				blockers = append(blockers, Blocker{Node: m.Node.Name, Reason: fmt.Sprintf(
					"the largest pod must fit the target offering: pod %s on %s (%dm CPU, %dMi memory) "+
						"is larger than a %s node's allocatable (%dm CPU, %dMi memory)",
					p.Key(), m.Node.Name, p.Need.MilliCPU, p.Need.MemoryBytes>>20,
					in.Offer.Target.Name, alloc.MilliCPU, alloc.MemoryBytes>>20)})
				continue // already named; packing it would name it twice
			}
			items = append(items, binpack.Item{Pod: p.Pod, Need: p.Need})
		}
	}
	nodes := fmt.Sprintf("the %d staying and %d new %s nodes", staying, len(candidates), in.Offer.Target.Name)
	for _, pl := range binpack.Pack(items, bins) {
		if pl.Bin < 0 {
			blockers = append(blockers, Blocker{Node: pl.Item.Pod.Spec.NodeName, Reason: unplaced(pl, nodes)})
		}
	}
	r := blocking(resources, NameFit, blockers, fmt.Sprintf("the %d pods to move fit on %s", len(items), nodes))
	// A pod that fits nowhere makes the whole opportunity wrong, not just
	// its node: the group as a whole would lack room.
	r.Blockers = nil
	return r
}

// unplaced names a pod the packing left out and why: a rule between pods
// when some node had room for it, else room. nodes names the nodes packed.
func unplaced(pl binpack.Placement, nodes string) string {
	p, need := pl.Item.Pod, pl.Item.Need
	pod := fmt.Sprintf("pod %s/%s on %s (%dm CPU, %dMi memory)", p.Namespace, p.Name, p.Spec.NodeName,
		need.MilliCPU, need.MemoryBytes>>20)
	if pl.Blocked != "" {
		return fmt.Sprintf("%s %s, among %s", pod, pl.Blocked, nodes)
	}
	return fmt.Sprintf("%s fits on none of %s", pod, nodes)
}

// stayingBins are the members that are not replaced and take pods now,
// with the pods that stay on them.
func stayingBins(in *Input) []binpack.Bin {
	var bins []binpack.Bin
	for _, m := range in.Members {
		if m.Candidate() || !m.Serving || m.Node.DeletionTimestamp != nil {
			continue
		}
		bins = append(bins, binpack.Bin{Node: m.Node, Free: binpack.Allocatable(m.Node).Minus(m.Requested), Pods: m.Staying})
	}
	return bins
}

// replacementBin models the node that replaces m: its labels (a new
// hostname, the target offering, the group's labels), the group's
// taints, the target's size less the reserve the kubelet kept on m, and
// the node-bound pods of m that come back on it, with their room.
func replacementBin(in *Input, m *facts.Member) binpack.Bin {
	node := &corev1.Node{}
	node.Name = m.Node.Name + "-replacement"
	node.Labels = maps.Clone(m.Node.Labels)
	maps.Copy(node.Labels, in.Group.Spec.Labels)
	node.Labels[corev1.LabelHostname] = node.Name
	node.Labels[v1alpha1.LabelInstanceType] = in.Offer.Target.Name
	node.Spec.Taints = in.Group.Spec.Taints
	bin := binpack.Bin{Node: node, Free: targetAllocatable(in.Offer.Target.CPU, in.Offer.Target.RAMMB, m.Node)}
	for _, b := range m.NodeBound {
		if binpack.Fits(b.Pod, node) {
			bin.Free = bin.Free.Minus(b.Need)
			bin.Pods = append(bin.Pods, b.Pod)
		}
	}
	return bin
}

// targetAllocatable is a node of cpu vCPUs and ramMB of memory less the
// reserve (capacity minus allocatable) the kubelet kept on old.
func targetAllocatable(cpu, ramMB int, old *corev1.Node) binpack.Resources {
	capacity, alloc := old.Status.Capacity, old.Status.Allocatable
	cpuReserve := capacity.Cpu().MilliValue() - alloc.Cpu().MilliValue()
	memReserve := capacity.Memory().Value() - alloc.Memory().Value()
	if capacity.Memory().IsZero() {
		cpuReserve, memReserve = 0, defaultMemoryReserve.Value()
	}
	pods := alloc.Pods().Value()
	if pods == 0 {
		pods = 110 // the kubelet's default maxPods
	}
	return binpack.Resources{
		MilliCPU:    int64(cpu)*1000 - max(cpuReserve, 0),
		MemoryBytes: int64(ramMB)<<20 - max(memReserve, 0),
		Pods:        pods,
	}
}
