package progressview

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

type kind = rebalancerv1.EventKind

// nodePhaseOf is the phase each node event puts its node in.
var nodePhaseOf = map[kind]rebalancerv1.NodePhase{
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING:  rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING,
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED:   rebalancerv1.NodePhase_NODE_PHASE_JOINING,
	rebalancerv1.EventKind_EVENT_KIND_NODE_JOINED:        rebalancerv1.NodePhase_NODE_PHASE_JOINING,
	rebalancerv1.EventKind_EVENT_KIND_NODE_READY:         rebalancerv1.NodePhase_NODE_PHASE_READY,
	rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED:      rebalancerv1.NodePhase_NODE_PHASE_CORDONED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED: rebalancerv1.NodePhase_NODE_PHASE_DRAINING,
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED:       rebalancerv1.NodePhase_NODE_PHASE_DRAINED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING:   rebalancerv1.NodePhase_NODE_PHASE_TERMINATING,
	rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED:    rebalancerv1.NodePhase_NODE_PHASE_DONE,
	rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED:        rebalancerv1.NodePhase_NODE_PHASE_FAILED,
}

// executionStatusOf is the status each execution-level event implies.
var executionStatusOf = map[kind]rebalancerv1.ExecutionStatus{
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_ACCEPTED:          rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PENDING,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_AWAITING_APPROVAL: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_APPROVED:          rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PENDING,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED:           rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER:        rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED:           rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED:            rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_CANCELLED:         rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLING_BACK,
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STARTED:            rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLING_BACK,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED:         rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED:            rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED,
}

// problems are the events worth keeping in view until the next one.
var problems = map[kind]bool{
	rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED:   true,
	rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED:  true,
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT: true,
	rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED:        true,
	rebalancerv1.EventKind_EVENT_KIND_NODE_QUARANTINED:   true,
	rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED:       true,
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_FAILED:    true,
}

// Apply updates the state with the next event of the execution.
func (s *State) Apply(ev *rebalancerv1.ExecutionEvent) {
	s.LastSequence = ev.GetSequence()
	s.Progress = ev.GetProgressPercent()
	s.LastMessage = ev.GetMessage()
	if problems[ev.GetKind()] {
		s.LastProblem = ev.GetMessage()
	}
	if st, ok := executionStatusOf[ev.GetKind()]; ok {
		s.Status = st
	}
	s.applyExecution(ev)
	s.applyBatch(ev)
	if ev.GetNodeName() != "" {
		s.applyNode(s.node(ev.GetNodeName(), ev.GetBatchNumber()), ev)
	}
}

func (s *State) applyExecution(ev *rebalancerv1.ExecutionEvent) {
	switch ev.GetKind() {
	case rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED:
		s.Final = true
	case rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED:
		s.Final = true
		// The executor names the exact final status (FAILED, ROLLED_BACK,
		// CANCELLED) in the details of its last event.
		if v, ok := rebalancerv1.ExecutionStatus_value[ev.GetDetails()["status"]]; ok {
			s.Status = rebalancerv1.ExecutionStatus(v)
		}
		if s.Status == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK ||
			s.Status == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED {
			s.markUndone()
		}
	case rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STARTED:
		s.Rollback.Started = true
	case rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STEP:
		s.Rollback.Steps++
	case rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED:
		s.Rollback.Completed = true
	case rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_FAILED:
		s.Rollback.Failed = true
	}
}

func (s *State) applyBatch(ev *rebalancerv1.ExecutionEvent) {
	if ev.GetBatchNumber() == 0 {
		return
	}
	switch ev.GetKind() {
	case rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED:
		b := s.batch(ev.GetBatchNumber())
		b.Status = BatchRunning
		b.Phase = phaseName(ev.GetDetails()["phase"])
	case rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED:
		s.batch(ev.GetBatchNumber()).Status = BatchCompleted
		s.LastProblem = "" // whatever held the batch up is over
	case rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED:
		s.batch(ev.GetBatchNumber()).Status = BatchFailed
	}
}

func (s *State) applyNode(n *Node, ev *rebalancerv1.ExecutionEvent) {
	if p, ok := nodePhaseOf[ev.GetKind()]; ok {
		n.setPhase(p)
	}
	switch ev.GetKind() {
	case rebalancerv1.EventKind_EVENT_KIND_NODE_JOINED, rebalancerv1.EventKind_EVENT_KIND_NODE_READY:
		if name := ev.GetDetails()["node"]; name != "" {
			n.NewNode = name
		}
	case rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED:
		n.Evicted++
	case rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT:
		n.RolledOut++
	case rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED:
		n.Blocked++
	case rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED:
		n.Forced++
	case rebalancerv1.EventKind_EVENT_KIND_SOAK_STARTED:
		n.Soak = "soaking"
	case rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_PASSED:
		n.Soak = "soak passed"
	case rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_FAILED:
		n.Soak = "health gate failed: " + ev.GetDetails()["subject"]
	case rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STEP:
		n.undo()
		if ev.GetDetails()["action"] == rebalancerv1.RollbackAction_ROLLBACK_ACTION_DELETE_NEW_NODE.String() {
			n.NewNode, n.ReplacementRemoved = "", true
		}
	}
}

// undo marks a node rolled back unless it kept its replacement (DONE) or
// is failed, which stays visible.
func (n *Node) undo() {
	if n.Phase != rebalancerv1.NodePhase_NODE_PHASE_DONE && n.Phase != rebalancerv1.NodePhase_NODE_PHASE_FAILED {
		n.Phase = rebalancerv1.NodePhase_NODE_PHASE_ROLLED_BACK
	}
}

// phaseName drops the BATCH_PHASE_ prefix of the batch's phase detail.
func phaseName(detail string) string {
	const prefix = "BATCH_PHASE_"
	if len(detail) > len(prefix) && detail[:len(prefix)] == prefix {
		return detail[len(prefix):]
	}
	return detail
}

// markUndone marks every node neither replaced nor failed as rolled back,
// as the Executor does at the end of a rollback: nodes it never reached
// have no event of their own.
func (s *State) markUndone() {
	for _, b := range s.Batches {
		for _, n := range b.Nodes {
			n.undo()
		}
	}
}
