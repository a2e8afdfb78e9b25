package planner

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// rollbackPlan writes the undo steps for a failure in any batch; the
// Executor carries out those that apply to the work done. Every uncordon
// comes before any delete, so old nodes are schedulable again before a
// replacement goes and the group's Ready count never dips. A replacement
// whose old node was terminated is kept: it has taken that node's place.
//
// Always automatic: a drain_timeout_action of FORCE decides what a drain
// timeout does (delete the pods left; no failure then), but any other
// failure must not leave cordoned nodes or unneeded VMs waiting for a human.
func rollbackPlan(batches []*rebalancerv1.NodeBatch, blueGreen bool) *rebalancerv1.RollbackPlan {
	where := locate(batches)
	text := replaceTexts
	if blueGreen {
		text = blueGreenTexts
	}
	nodes := where.inOrder()
	w := newStepWriter(3*len(nodes) + 2)
	d := newDescriber(text, nodes)
	w.add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_STOP_EXECUTION, "", 0, "Stop starting new steps; let in-flight evictions finish or fail.")
	for _, n := range nodes {
		w.add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_UNCORDON_NODE, n.name, n.uncordon, d.about(text.uncordon, n.name))
	}
	for _, n := range nodes {
		w.add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_DELETE_NEW_NODE, n.name, n.remove, d.about(text.remove, n.name))
	}
	for _, n := range nodes {
		w.add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_KEEP_REPLACEMENT, n.name, n.keep, d.about(text.keep, n.name))
	}
	w.add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_VERIFY_WORKLOADS, "", 0, "Verify every workload of the group has its available replicas back.")
	return &rebalancerv1.RollbackPlan{Automatic: true, Steps: w.steps}
}

// rollbackTexts are one strategy family's step descriptions.
type rollbackTexts struct{ uncordon, remove, keep text }

// text is a description around the old node's name.
type text struct{ before, after string }

func (t text) size() int { return len(t.before) + len(t.after) }

var replaceTexts = rollbackTexts{
	uncordon: text{"If ", " is cordoned and not terminated, uncordon it and remove the rebalancer's taint and label."},
	remove:   text{"If ", " was not terminated, drain and delete the replacement VM created for it, and its Node."},
	keep:     text{"If ", " was terminated, keep its replacement: it has taken the old node's place."},
}

var blueGreenTexts = rollbackTexts{
	uncordon: text{"If blue node ", " was not terminated, uncordon it (all blue is cordoned when the first drain starts)."},
	remove:   text{"If blue node ", " was not terminated, drain and delete its green replacement VM and Node."},
	keep:     text{"If blue node ", " was terminated, keep its green replacement."},
}

// nodeBatches says, per old node, which batch cordons it, which creates its
// replacement and which terminates it: all one REPLACE batch, or the
// DRAIN, PROVISION and TERMINATE batches of blue-green.
type nodeBatches struct {
	// order lists the old nodes in plan order, by their entry in undo.
	order []int
	// byName finds a node's entry in undo: one map of ints and one array
	// rather than an allocation or a map a node.
	byName map[string]int
	undo   []undoBatches
}

// undoBatches are the batches one old node's rollback steps point at.
type undoBatches struct {
	name                   string
	uncordon, remove, keep int32
}

// at is name's entry, added on first sight. Names are unique at the API;
// a name repeated by a caller in Go shares one entry, the last batch of
// each kind winning, as the plan has always said.
func (w *nodeBatches) at(name string) int {
	i, ok := w.byName[name]
	if !ok {
		i = len(w.undo)
		w.byName[name] = i
		w.undo = append(w.undo, undoBatches{name: name})
	}
	return i
}

// inOrder is the entries of the old nodes in plan order.
func (w *nodeBatches) inOrder() []undoBatches {
	out := make([]undoBatches, len(w.order))
	for k, i := range w.order {
		out[k] = w.undo[i]
	}
	return out
}

func locate(batches []*rebalancerv1.NodeBatch) nodeBatches {
	n := oldNodes(batches)
	w := nodeBatches{byName: make(map[string]int, n), undo: make([]undoBatches, 0, n), order: make([]int, 0, n)}
	for _, b := range batches {
		for _, node := range b.GetNodes() {
			i := w.at(node.GetNodeName())
			at := &w.undo[i]
			switch b.GetPhase() {
			case rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE:
				w.order = append(w.order, i)
				at.uncordon, at.remove, at.keep = b.BatchNumber, b.BatchNumber, b.BatchNumber
			case rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION:
				w.order = append(w.order, i)
				at.remove = b.BatchNumber
			case rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN:
				at.uncordon = b.BatchNumber
			case rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE:
				at.keep = b.BatchNumber
			}
		}
	}
	return w
}

// oldNodes counts the nodes of the REPLACE and PROVISION batches, the
// phases that list each old node once: what locate sizes its map by. A
// count of every batch's nodes sized blue-green's for three times its
// nodes, the largest allocation of CreatePlan.
func oldNodes(batches []*rebalancerv1.NodeBatch) int {
	n := 0
	for _, b := range batches {
		switch b.GetPhase() {
		case rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE, rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION:
			n += len(b.GetNodes())
		}
	}
	return n
}
