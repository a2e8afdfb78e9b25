package planner

import (
	"fmt"

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
	rb := &rebalancerv1.RollbackPlan{Automatic: true, Steps: make([]*rebalancerv1.RollbackStep, 0, 3*len(where.order)+2)}
	add := func(action rebalancerv1.RollbackAction, node string, batch int32, description string) {
		rb.Steps = append(rb.Steps, &rebalancerv1.RollbackStep{
			Order: int32(len(rb.Steps) + 1), Action: action, NodeName: node, BatchNumber: batch, Description: description,
		})
	}
	add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_STOP_EXECUTION, "", 0, "Stop starting new steps; let in-flight evictions finish or fail.")
	for _, n := range where.order {
		add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_UNCORDON_NODE, n, where.uncordon[n], fmt.Sprintf(text.uncordon, n))
	}
	for _, n := range where.order {
		add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_DELETE_NEW_NODE, n, where.remove[n], fmt.Sprintf(text.remove, n))
	}
	for _, n := range where.order {
		add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_KEEP_REPLACEMENT, n, where.keep[n], fmt.Sprintf(text.keep, n))
	}
	add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_VERIFY_WORKLOADS, "", 0, "Verify every workload of the group has its available replicas back.")
	return rb
}

// rollbackTexts are one strategy family's step descriptions, %s the old node.
type rollbackTexts struct{ uncordon, remove, keep string }

var replaceTexts = rollbackTexts{
	uncordon: "If %s is cordoned and not terminated, uncordon it and remove the rebalancer's taint and label.",
	remove:   "If %s was not terminated, drain and delete the replacement VM created for it, and its Node.",
	keep:     "If %s was terminated, keep its replacement: it has taken the old node's place.",
}

var blueGreenTexts = rollbackTexts{
	uncordon: "If blue node %s was not terminated, uncordon it (all blue is cordoned when the first drain starts).",
	remove:   "If blue node %s was not terminated, drain and delete its green replacement VM and Node.",
	keep:     "If blue node %s was terminated, keep its green replacement.",
}

// nodeBatches says, per old node, which batch cordons it, which creates its
// replacement and which terminates it: all one REPLACE batch, or the
// DRAIN, PROVISION and TERMINATE batches of blue-green.
type nodeBatches struct {
	order                  []string
	uncordon, remove, keep map[string]int32
}

func locate(batches []*rebalancerv1.NodeBatch) nodeBatches {
	n := 0
	for _, b := range batches {
		n += len(b.GetNodes())
	}
	w := nodeBatches{uncordon: make(map[string]int32, n), remove: make(map[string]int32, n), keep: make(map[string]int32, n)}
	for _, b := range batches {
		for _, n := range b.GetNodes() {
			name := n.GetNodeName()
			switch b.GetPhase() {
			case rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE:
				w.order = append(w.order, name)
				w.uncordon[name], w.remove[name], w.keep[name] = b.BatchNumber, b.BatchNumber, b.BatchNumber
			case rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION:
				w.order = append(w.order, name)
				w.remove[name] = b.BatchNumber
			case rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN:
				w.uncordon[name] = b.BatchNumber
			case rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE:
				w.keep[name] = b.BatchNumber
			}
		}
	}
	return w
}
