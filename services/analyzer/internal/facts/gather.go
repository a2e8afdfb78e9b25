package facts

import (
	corev1 "k8s.io/api/core/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/binpack"
)

// Gather reads the members of a group from its nodes (given by name). A
// node is a candidate when it runs offering ("" for any) and nothing
// excludes it; only candidates get their pods described in full.
func Gather(r Reader, nodes []*corev1.Node, offering string) []*Member {
	b := newBudgets(r)
	members := make([]*Member, 0, len(nodes))
	for _, n := range nodes {
		pods := r.PodsOnNode(n.Name)
		m := &Member{Node: n, Serving: kube.NodeServing(n), Schedulable: !n.Spec.Unschedulable}
		_, m.Draining = draining(n, pods)
		m.Exclusion = exclusion(n, pods, offering)
		m.readPods(r, b, pods)
		members = append(members, m)
	}
	return members
}

// readPods sums what the node's pods request (every pod but finished ones:
// a terminating pod holds its room until it is gone) and, for a candidate,
// splits them into the pods a drain moves and those bound to the node;
// for another member, keeps those that stay.
// Requests are computed once per pod: they are the costly part.
func (m *Member) readPods(r Reader, b *budgets, pods []*corev1.Pod) {
	for _, p := range pods {
		kind := classify(p)
		if kind == finished {
			continue
		}
		need := binpack.Requests(p)
		m.Requested = m.Requested.Plus(need)
		if !m.Candidate() {
			if kind != terminating {
				m.Staying = append(m.Staying, p)
			}
			continue
		}
		switch kind {
		case movable:
			m.Pods = append(m.Pods, describe(r, b, p, need))
		case nodeBound:
			m.NodeBound = append(m.NodeBound, Bound{Pod: p, Need: need})
		case finished, terminating:
		}
	}
}

// describe gathers what the checks and the score need about one pod.
func describe(r Reader, b *budgets, p *corev1.Pod, req binpack.Resources) *Pod {
	o := ownerOf(r, p)
	pdbs := b.matching(p.Namespace, p.Labels)
	storage := localStorage(r, p)
	_, optedOut := podOptOut(p)
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
	return &Pod{Pod: p, Workload: w, PDBs: pdbs, LocalStorage: storage, Need: req, Surges: o.surges, NoSurge: o.noSurge}
}

// OptOut returns the annotation that opts the pod out of disruption, if any.
func OptOut(p *Pod) (string, bool) { return podOptOut(p.Pod) }
