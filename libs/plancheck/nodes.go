package plancheck

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// nodeIndex says where each planned node appears: in which batch of each phase.
type nodeIndex struct {
	// names are the distinct planned nodes, in order of first appearance.
	names []string
	// batchOf maps a phase and a node name to the index of its batch.
	batchOf map[rebalancerv1.BatchPhase]map[string]int
	// firstPath is where each node first appears, for messages.
	firstPath map[string]string
}

// checkNodes checks every batch's nodes and indexes them: each node at most
// once per phase, one VM per node, offerings those of the opportunity.
func checkNodes(r *report, p *rebalancerv1.RebalancePlan) nodeIndex {
	idx := nodeIndex{batchOf: map[rebalancerv1.BatchPhase]map[string]int{}, firstPath: map[string]string{}}
	vms := vmRegistry{vmOf: map[string]string{}, nodeOf: map[string]string{}}
	for i, b := range p.GetBatches() {
		checkPhase(r, i, b.GetPhase(), p.GetStrategy())
		checkDuration(r, batchPath(i)+".estimated_duration", b.GetEstimatedDuration())
		checkDuration(r, batchPath(i)+".soak_time", b.GetSoakTime())
		if len(b.GetNodes()) == 0 {
			r.add(batchPath(i)+".nodes", "must hold at least one node")
		}
		for j, n := range b.GetNodes() {
			checkNode(r, nodePath(i, j), n, p.GetOpportunity())
			idx.place(r, i, j, b.GetPhase(), n.GetNodeName())
			vms.record(r, nodePath(i, j), n)
		}
	}
	checkEveryPhase(r, p.GetStrategy(), idx)
	if total := int(p.GetTotalNodes()); total != len(idx.names) {
		r.add("plan.total_nodes", "is %d but the batches hold %d distinct nodes", total, len(idx.names))
	}
	if p.GetTotalNodes() > p.GetGroupSize() {
		r.add("plan.total_nodes", "is %d, more than the group's %d nodes", p.GetTotalNodes(), p.GetGroupSize())
	}
	return idx
}

// place records node name of batch i in its phase; a second time is a violation.
func (idx *nodeIndex) place(r *report, i, j int, phase rebalancerv1.BatchPhase, name string) {
	if name == "" {
		return
	}
	if _, seen := idx.firstPath[name]; !seen {
		idx.names = append(idx.names, name)
		idx.firstPath[name] = nodePath(i, j)
	}
	inPhase := idx.batchOf[phase]
	if inPhase == nil {
		inPhase = map[string]int{}
		idx.batchOf[phase] = inPhase
	}
	if first, dup := inPhase[name]; dup {
		r.add(nodePath(i, j)+".node_name", "%q is already in %s: a node appears once per phase", name, batchPath(first))
		return
	}
	inPhase[name] = i
}

func checkNode(r *report, path string, n *rebalancerv1.CandidateNode, o *rebalancerv1.Opportunity) {
	checkName(r, path+".node_name", n.GetNodeName())
	if n.GetVmIdentifier() == "" {
		r.add(path+".vm_identifier", "is required: the old VM must be deleted when the node is replaced")
	}
	if got, want := n.GetCurrentOffering(), o.GetCurrentOffering(); got != want {
		r.add(path+".current_offering", "is %q but the opportunity replaces %q", got, want)
	}
	if got, want := n.GetTargetOffering(), o.GetTargetOffering(); got != want {
		r.add(path+".target_offering", "is %q but the opportunity moves to %q", got, want)
	}
	if !n.GetSafeToRebalance() {
		r.add(path+".safe_to_rebalance", "is false (%s): only nodes safe to rebalance may be planned", n.GetReason())
	}
}

// vmRegistry ties node names to VM identifiers: one VM per node, one node per VM.
type vmRegistry struct {
	vmOf, nodeOf map[string]string
}

func (v vmRegistry) record(r *report, path string, n *rebalancerv1.CandidateNode) {
	name, vm := n.GetNodeName(), n.GetVmIdentifier()
	if name == "" || vm == "" {
		return
	}
	if known, ok := v.vmOf[name]; ok && known != vm {
		r.add(path+".vm_identifier", "is %q but %q runs on VM %q elsewhere in the plan", vm, name, known)
	}
	if other, ok := v.nodeOf[vm]; ok && other != name {
		r.add(path+".vm_identifier", "%q is also the VM of node %q: a node of one group appears under two names", vm, other)
	}
	v.vmOf[name], v.nodeOf[vm] = vm, name
}
