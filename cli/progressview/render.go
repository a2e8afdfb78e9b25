package progressview

import (
	"fmt"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// barWidth is the inside width of every bar; ASCII so CI logs and any
// terminal font show it the same.
const barWidth = 24

// steps are a replacement's phases in order; a node's bar fills by its
// position here.
var steps = []rebalancerv1.NodePhase{
	rebalancerv1.NodePhase_NODE_PHASE_PENDING,
	rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING,
	rebalancerv1.NodePhase_NODE_PHASE_JOINING,
	rebalancerv1.NodePhase_NODE_PHASE_READY,
	rebalancerv1.NodePhase_NODE_PHASE_CORDONED,
	rebalancerv1.NodePhase_NODE_PHASE_DRAINING,
	rebalancerv1.NodePhase_NODE_PHASE_DRAINED,
	rebalancerv1.NodePhase_NODE_PHASE_TERMINATING,
	rebalancerv1.NodePhase_NODE_PHASE_DONE,
}

// step is p's position in steps; FAILED and ROLLED_BACK are not steps (0).
func step(p rebalancerv1.NodePhase) int {
	for i, s := range steps {
		if s == p {
			return i
		}
	}
	return 0
}

// NodePercent is how far n's replacement got, 0 to 100: its furthest step
// over the steps of a replacement, as its bar fills. The web dashboard
// draws its bars with it too.
func NodePercent(n *Node) int { return step(n.Reached) * 100 / (len(steps) - 1) }

// Render draws the state: a header, the overall bar, a bar per batch with
// a bar per node under it, the rollback and the latest problem and message.
func Render(s *State) []string {
	lines := []string{
		fmt.Sprintf("Execution %s  %s/%s  %s  event %d", s.ExecutionID, s.Namespace, s.NodeGroup,
			statusName(s.Status), s.LastSequence),
		fmt.Sprintf("%-14s %s %3d%%", "overall", bar(float64(s.Progress)/100), s.Progress),
	}
	for _, b := range s.Batches {
		lines = append(lines, batchLine(b))
		for _, n := range b.Nodes {
			lines = append(lines, nodeLine(n))
		}
	}
	if s.Rollback.Started {
		lines = append(lines, rollbackLine(s.Rollback))
	}
	if s.LastProblem != "" {
		lines = append(lines, "! "+s.LastProblem)
	}
	if s.LastMessage != "" {
		lines = append(lines, "> "+s.LastMessage)
	}
	return lines
}

func batchLine(b *Batch) string {
	done, fraction := 0, 0.0
	for _, n := range b.Nodes {
		if n.Phase == rebalancerv1.NodePhase_NODE_PHASE_DONE {
			done++
		}
		fraction += nodeFraction(n)
	}
	if len(b.Nodes) > 0 {
		fraction /= float64(len(b.Nodes))
	}
	if b.Status == BatchCompleted {
		fraction = 1 // a provision or drain batch completes before its nodes are DONE
	}
	label := fmt.Sprintf("batch %d", b.Number)
	if b.Phase != "" && b.Phase != "REPLACE" {
		label += " " + strings.ToLower(b.Phase)
	}
	return fmt.Sprintf("%-14s %s %3.0f%%  %-9s %d/%d replaced", label, bar(fraction), fraction*100,
		batchStatusName[b.Status], done, len(b.Nodes))
}

var batchStatusName = map[BatchStatus]string{
	BatchWaiting: "waiting", BatchRunning: "running", BatchCompleted: "completed", BatchFailed: "failed",
}

func nodeLine(n *Node) string {
	line := fmt.Sprintf("  %-12s %s %-11s", n.Name, bar(nodeFraction(n)), nodePhaseName(n.Phase))
	if notes := nodeNotes(n); notes != "" {
		line += " " + notes
	}
	return strings.TrimRight(line, " ")
}

// nodeFraction fills a node's bar to the furthest step it reached.
func nodeFraction(n *Node) float64 {
	return float64(step(n.Reached)) / float64(len(steps)-1)
}

func nodeNotes(n *Node) string {
	var notes []string
	if n.NewNode != "" {
		notes = append(notes, "-> "+n.NewNode)
	}
	if n.ReplacementRemoved {
		notes = append(notes, "replacement removed")
	}
	if n.Evicted > 0 {
		notes = append(notes, fmt.Sprintf("%d evicted", n.Evicted))
	}
	if n.RolledOut > 0 {
		notes = append(notes, fmt.Sprintf("%d rolled out", n.RolledOut))
	}
	if n.Blocked > 0 {
		notes = append(notes, fmt.Sprintf("%d refused by PDB", n.Blocked))
	}
	if n.Forced > 0 {
		notes = append(notes, fmt.Sprintf("%d force-deleted", n.Forced))
	}
	if n.Soak != "" {
		notes = append(notes, n.Soak)
	}
	return strings.Join(notes, ", ")
}

func rollbackLine(r Rollback) string {
	state := "running"
	switch {
	case r.Failed:
		state = "FAILED, an operator must look"
	case r.Completed:
		state = "completed"
	}
	return fmt.Sprintf("%-14s %d steps done, %s", "rollback", r.Steps, state)
}

// bar draws a fraction from 0 to 1 as [####....].
func bar(fraction float64) string {
	fraction = min(max(fraction, 0), 1)
	filled := int(fraction*barWidth + 0.5)
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled) + "]"
}

func statusName(s rebalancerv1.ExecutionStatus) string {
	return strings.TrimPrefix(s.String(), "EXECUTION_STATUS_")
}

func nodePhaseName(p rebalancerv1.NodePhase) string {
	return strings.TrimPrefix(p.String(), "NODE_PHASE_")
}
