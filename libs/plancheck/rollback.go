package plancheck

import (
	"strconv"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

const (
	actionUncordon = rebalancerv1.RollbackAction_ROLLBACK_ACTION_UNCORDON_NODE
	actionDelete   = rebalancerv1.RollbackAction_ROLLBACK_ACTION_DELETE_NEW_NODE
)

// checkRollback holds the rollback plan to what the Executor relies on:
// every planned node can be uncordoned and its replacement removed, steps
// name planned nodes and existing batches, and every uncordon comes before
// any delete so the group's Ready nodes never dip while rolling back.
func checkRollback(r *report, p *rebalancerv1.RebalancePlan, nodes nodeIndex) {
	rb := p.GetRollbackPlan()
	if rb == nil {
		r.add("plan.rollback_plan", "is required")
		return
	}
	covered := map[rebalancerv1.RollbackAction]map[string]bool{actionUncordon: {}, actionDelete: {}}
	firstDelete := -1
	for k, s := range rb.GetSteps() {
		path := "plan.rollback_plan.steps[" + strconv.Itoa(k) + "]"
		checkStep(r, path, k, s, len(p.GetBatches()), nodes)
		if byNode, ok := covered[s.GetAction()]; ok {
			byNode[s.GetNodeName()] = true
		}
		if s.GetAction() == actionDelete && firstDelete < 0 {
			firstDelete = k
		}
		if s.GetAction() == actionUncordon && firstDelete >= 0 {
			r.add(path+".action", "uncordons %q after steps[%d] deleted a new node: every uncordon comes first", s.GetNodeName(), firstDelete)
		}
	}
	for _, name := range nodes.names {
		for _, action := range []rebalancerv1.RollbackAction{actionUncordon, actionDelete} {
			if !covered[action][name] {
				r.add("plan.rollback_plan.steps", "hold no %s step for %q", action, name)
			}
		}
	}
}

func checkStep(r *report, path string, k int, s *rebalancerv1.RollbackStep, batches int, nodes nodeIndex) {
	if int(s.GetOrder()) != k+1 {
		r.add(path+".order", "is %d, want %d", s.GetOrder(), k+1)
	}
	if _, ok := rebalancerv1.RollbackAction_name[int32(s.GetAction())]; !ok || s.GetAction() == rebalancerv1.RollbackAction_ROLLBACK_ACTION_UNSPECIFIED {
		r.add(path+".action", "is %s; want a known action", s.GetAction())
	}
	if name := s.GetNodeName(); name != "" {
		if _, planned := nodes.firstPath[name]; !planned {
			r.add(path+".node_name", "%q is not a node of the plan", name)
		}
	}
	if b := s.GetBatchNumber(); b < 0 || int(b) > batches {
		r.add(path+".batch_number", "is %d; want 0 (the whole plan) or a batch of the plan", b)
	}
}
