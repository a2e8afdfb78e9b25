package facts

import (
	corev1 "k8s.io/api/core/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/binpack"
)

// Gather reads the members of a group from its nodes (given by name). A
// node is a candidate when it runs offering ("" for any) and nothing
// excludes it; only candidates get their pods read in full.
func Gather(r Reader, nodes []*corev1.Node, offering string) []*Member {
	b := newBudgets(r)
	members := make([]*Member, 0, len(nodes))
	for _, n := range nodes {
		pods := r.PodsOnNode(n.Name)
		m := &Member{Node: n, Ready: Ready(n), Schedulable: !n.Spec.Unschedulable}
		_, m.Draining = draining(n, pods)
		m.Exclusion = exclusion(n, pods, offering)
		m.Requested = requested(pods)
		if m.Candidate() {
			m.Pods, m.NodeBound = sortPods(r, b, pods)
		}
		members = append(members, m)
	}
	return members
}

// sortPods splits a node's pods into those a drain moves and those bound
// to the node; finished and terminating pods are in neither.
func sortPods(r Reader, b *budgets, pods []*corev1.Pod) (moved []*Pod, bound []*corev1.Pod) {
	for _, p := range pods {
		switch classify(p) {
		case movable:
			moved = append(moved, describe(r, b, p))
		case nodeBound:
			bound = append(bound, p)
		case finished, terminating:
		}
	}
	return moved, bound
}

// requested sums the requests of the pods that hold room on a node: every
// pod but finished ones (a terminating pod holds its room until it is gone).
func requested(pods []*corev1.Pod) binpack.Resources {
	var sum binpack.Resources
	for _, p := range pods {
		if classify(p) != finished {
			r := binpack.Requests(p)
			sum.MilliCPU += r.MilliCPU
			sum.MemoryBytes += r.MemoryBytes
			sum.Pods += r.Pods
		}
	}
	return sum
}

// describe gathers what the checks and the score need about one pod.
func describe(r Reader, b *budgets, p *corev1.Pod) *Pod {
	o := ownerOf(r, p)
	pdbs := b.matching(p.Namespace, p.Labels)
	storage := localStorage(r, p)
	_, optedOut := podOptOut(p)
	req := binpack.Requests(p)
	w := &rebalancerv1.Workload{
		Namespace:          p.Namespace,
		PodName:            p.Name,
		OwnerKind:          o.kind,
		OwnerName:          o.name,
		Replicas:           o.replicas,
		HasLocalStorage:    len(storage) > 0,
		OptedOut:           optedOut,
		Priority:           priority(p),
		DeletionCost:       deletionCost(p),
		CpuRequestMillis:   req.MilliCPU,
		MemoryRequestBytes: req.MemoryBytes,
	}
	for _, pdb := range pdbs {
		w.PdbNames = append(w.PdbNames, pdb.Name)
	}
	return &Pod{Pod: p, Workload: w, PDBs: pdbs, LocalStorage: storage}
}

// OptOut returns the annotation that opts the pod out of disruption, if any.
func OptOut(p *Pod) (string, bool) { return podOptOut(p.Pod) }
