// Package progressview turns an execution's event stream into what the
// watch command shows: progress bars per batch and per node on a terminal,
// one line per event elsewhere. Everything here except Terminal is a pure
// function of the events, so golden files pin the output.
package progressview

import (
	"slices"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// State is what the events of one execution have said so far.
type State struct {
	ExecutionID  string
	Namespace    string
	NodeGroup    string
	Status       rebalancerv1.ExecutionStatus
	Progress     int32
	LastSequence uint64
	// Final is set by the last event of the execution (succeeded or failed).
	Final       bool
	Batches     []*Batch // by batch number
	Rollback    Rollback
	LastMessage string
	// LastProblem is the latest failure or refusal, kept in view while
	// later, quieter events scroll by.
	LastProblem string
}

// BatchStatus is where a batch stands.
type BatchStatus int

// The statuses of a batch, in order.
const (
	BatchWaiting BatchStatus = iota
	BatchRunning
	BatchCompleted
	BatchFailed
)

// Batch is one batch of the plan and the nodes seen in it.
type Batch struct {
	Number int32
	Phase  string // REPLACE, PROVISION, DRAIN or TERMINATE, once started
	Status BatchStatus
	Nodes  []*Node
}

// Node is one old node's replacement.
type Node struct {
	Name    string
	Phase   rebalancerv1.NodePhase
	Reached rebalancerv1.NodePhase // furthest step, kept when the node fails or is rolled back
	NewNode string
	Evicted int
	// RolledOut counts pods moved by a rollout of their single-replica
	// Deployment instead of an eviction.
	RolledOut int
	Blocked   int // evictions refused by a PDB (each retried)
	Forced    int // pods deleted past their budget
	// ReplacementRemoved is set when the rollback deleted the new node.
	ReplacementRemoved bool
	// Soak is where the node's soak stands, "" when it has none:
	// "soaking", "soak passed", "health gate failed: <workload or query>".
	Soak string
}

// Rollback counts the rollback's steps once one starts.
type Rollback struct {
	Started, Completed, Failed bool
	Steps                      int
}

// NewState starts from an execution as GetExecution returned it, so every
// batch and node has its place before its first event. Phases are taken
// only when the watch resumes mid-way (fromSequence > 1): a watch from the
// start replays every phase from PENDING.
func NewState(e *rebalancerv1.ExecutionState, fromSequence uint64) *State {
	s := &State{
		ExecutionID: e.GetExecutionId(), Namespace: e.GetNamespace(), NodeGroup: e.GetNodeGroup(),
		Status: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PENDING,
	}
	resuming := fromSequence > 1
	if resuming {
		s.Status, s.Progress, s.LastSequence = e.GetStatus(), e.GetProgressPercent(), fromSequence-1
	}
	for _, ne := range e.GetNodes() {
		n := s.node(ne.GetOldNode(), ne.GetBatchNumber())
		n.NewNode = ne.GetNewNode()
		if resuming {
			n.setPhase(ne.GetPhase())
		}
	}
	return s
}

// Fold applies events in order to a fresh state for the execution.
func Fold(e *rebalancerv1.ExecutionState, events []*rebalancerv1.ExecutionEvent) *State {
	s := NewState(e, 0)
	for _, ev := range events {
		s.Apply(ev)
	}
	return s
}

// batch finds or adds a batch, keeping the list ordered by number.
func (s *State) batch(number int32) *Batch {
	i, found := slices.BinarySearchFunc(s.Batches, number, func(b *Batch, n int32) int { return int(b.Number - n) })
	if !found {
		s.Batches = slices.Insert(s.Batches, i, &Batch{Number: number})
	}
	return s.Batches[i]
}

// node finds a node by name in any batch, or adds it to batch.
func (s *State) node(name string, batch int32) *Node {
	for _, b := range s.Batches {
		for _, n := range b.Nodes {
			if n.Name == name {
				return n
			}
		}
	}
	b := s.batch(batch)
	n := &Node{Name: name, Phase: rebalancerv1.NodePhase_NODE_PHASE_PENDING}
	b.Nodes = append(b.Nodes, n)
	return n
}

// setPhase moves a node; Reached remembers the furthest step of the
// replacement itself, so a failed node's bar shows how far it got.
func (n *Node) setPhase(p rebalancerv1.NodePhase) {
	n.Phase = p
	if step(p) > step(n.Reached) {
		n.Reached = p
	}
}
