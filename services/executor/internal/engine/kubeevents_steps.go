package engine

import (
	"fmt"
	"slices"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// The steps of an old node that get no Event of their own (kubeReasons)
// are summed up in the note of its last one, NodeReplaced or
// ReplacementFailed: one Event with the count, instead of one per step.

// nodeKey names an old node of an execution.
type nodeKey struct{ execution, node string }

// nodeSteps is what the story saw of an old node without writing an Event.
type nodeSteps struct {
	replacement string
	// steps are the reasons of the steps told without an Event, once
	// each, in the order they came.
	steps                       []string
	evicted, refused, rolledOut int
}

// maxTalliedNodes bounds the old nodes tallied at once: a node whose
// execution another replica took over never sends its last event here.
const maxTalliedNodes = 16 * maxStoryRefs

// tally counts ev against its old node and returns the note of its Event:
// its message, and for the node's last event the steps summed up.
func (s *KubeStory) tally(ev *rebalancerv1.ExecutionEvent) string {
	old := ev.GetNodeName()
	if old == "" {
		return ev.GetMessage()
	}
	k := nodeKey{ev.GetExecutionId(), old}
	st := s.steps[k]
	if st == nil {
		if len(s.steps) >= maxTalliedNodes {
			clear(s.steps) // a summary lost, not a step: the stream has them all
		}
		st = &nodeSteps{}
		s.steps[k] = st
	}
	if n := ev.GetDetails()["node"]; n != "" && n != old {
		st.replacement = n
	}
	switch ev.GetKind() {
	case rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED:
		st.evicted++
	case rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED:
		st.refused++
	case rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT:
		st.rolledOut++
	case rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED, rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED:
		delete(s.steps, k)
		return ev.GetMessage() + st.summary()
	default:
		if r, ok := kubeReasons[ev.GetKind()]; ok && r.on == onNone && !slices.Contains(st.steps, r.reason) {
			st.steps = append(st.steps, r.reason)
		}
	}
	return ev.GetMessage()
}

// summary is the steps in words, in parentheses, or nothing.
func (st *nodeSteps) summary() string {
	var parts []string
	if st.replacement != "" {
		parts = append(parts, "replacement "+st.replacement)
	}
	if len(st.steps) > 0 {
		parts = append(parts, "after "+strings.Join(st.steps, ", "))
	}
	if st.evicted > 0 || st.rolledOut > 0 {
		parts = append(parts, fmt.Sprintf("%d pods evicted, %d rolled out", st.evicted, st.rolledOut))
	}
	if st.refused > 0 {
		parts = append(parts, fmt.Sprintf("evictions refused by a PDB: %d", st.refused))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}
