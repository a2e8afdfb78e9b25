package dashboard

import (
	"strings"
	"time"

	"github.com/vpsie/node-rebalancer/cli/progressview"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// executionView is what the page draws of an execution: progressview's
// fold of the events so far, with the percentages its bars show.
type executionView struct {
	ID          string        `json:"id"`
	Namespace   string        `json:"namespace"`
	NodeGroup   string        `json:"nodeGroup"`
	Status      string        `json:"status"`
	Progress    int32         `json:"progress"`
	Sequence    uint64        `json:"sequence"`
	Final       bool          `json:"final"`
	Batches     []batchView   `json:"batches"`
	Rollback    *rollbackView `json:"rollback,omitempty"`
	LastProblem string        `json:"lastProblem,omitempty"`
	LastMessage string        `json:"lastMessage,omitempty"`
}

type batchView struct {
	Number   int32      `json:"number"`
	Phase    string     `json:"phase,omitempty"`
	Status   string     `json:"status"`
	Progress int        `json:"progress"`
	Replaced int        `json:"replaced"`
	Nodes    []nodeView `json:"nodes"`
}

type nodeView struct {
	Name               string `json:"name"`
	Phase              string `json:"phase"`
	Progress           int    `json:"progress"`
	NewNode            string `json:"newNode,omitempty"`
	Evicted            int    `json:"evicted"`
	RolledOut          int    `json:"rolledOut"`
	Blocked            int    `json:"blocked"`
	Forced             int    `json:"forced"`
	ReplacementRemoved bool   `json:"replacementRemoved,omitempty"`
	Soak               string `json:"soak,omitempty"`
}

type rollbackView struct {
	Steps     int  `json:"steps"`
	Completed bool `json:"completed"`
	Failed    bool `json:"failed"`
}

var batchStatusName = map[progressview.BatchStatus]string{
	progressview.BatchWaiting: "waiting", progressview.BatchRunning: "running",
	progressview.BatchCompleted: "completed", progressview.BatchFailed: "failed",
}

func viewOf(s *progressview.State) executionView {
	v := executionView{
		ID: s.ExecutionID, Namespace: s.Namespace, NodeGroup: s.NodeGroup, Status: statusName(s.Status),
		Progress: s.Progress, Sequence: s.LastSequence, Final: s.Final, Batches: []batchView{},
		LastProblem: s.LastProblem, LastMessage: s.LastMessage,
	}
	for _, b := range s.Batches {
		v.Batches = append(v.Batches, batchViewOf(b))
	}
	if r := s.Rollback; r.Started {
		v.Rollback = &rollbackView{Steps: r.Steps, Completed: r.Completed, Failed: r.Failed}
	}
	return v
}

func batchViewOf(b *progressview.Batch) batchView {
	v := batchView{Number: b.Number, Phase: b.Phase, Status: batchStatusName[b.Status], Nodes: []nodeView{}}
	total := 0
	for _, n := range b.Nodes {
		nv := nodeView{
			Name: n.Name, Phase: phaseName(n.Phase), Progress: progressview.NodePercent(n), NewNode: n.NewNode,
			Evicted: n.Evicted, RolledOut: n.RolledOut, Blocked: n.Blocked, Forced: n.Forced,
			ReplacementRemoved: n.ReplacementRemoved, Soak: n.Soak,
		}
		if n.Phase == rebalancerv1.NodePhase_NODE_PHASE_DONE {
			v.Replaced++
		}
		total += nv.Progress
		v.Nodes = append(v.Nodes, nv)
	}
	if len(b.Nodes) > 0 {
		v.Progress = total / len(b.Nodes)
	}
	if b.Status == progressview.BatchCompleted {
		v.Progress = 100 // a provision or drain batch completes before its nodes are DONE
	}
	return v
}

// resultView is the outcome of an execution that ended.
type resultView struct {
	Status          string   `json:"status"`
	StatusMessage   string   `json:"statusMessage,omitempty"`
	NodesReplaced   int32    `json:"nodesReplaced"`
	NodesFailed     int32    `json:"nodesFailed"`
	NodesTotal      int32    `json:"nodesTotal"`
	SavingsCents    int64    `json:"savingsCents"`
	DurationSeconds float64  `json:"durationSeconds"`
	Duration        string   `json:"duration"`
	PDBViolations   int32    `json:"pdbViolations"`
	OrphanVMs       int32    `json:"orphanVMs"`
	Errors          []string `json:"errors"`
}

func resultOf(e *rebalancerv1.ExecutionState) resultView {
	r := e.GetResult()
	d := r.GetDuration().AsDuration()
	return resultView{
		Status: statusName(e.GetStatus()), StatusMessage: e.GetStatusMessage(),
		NodesReplaced: r.GetNodesReplaced(), NodesFailed: r.GetNodesFailed(), NodesTotal: r.GetNodesTotal(),
		SavingsCents: r.GetRealizedMonthlySavingsCents(), DurationSeconds: d.Seconds(), Duration: d.Round(time.Second).String(),
		PDBViolations: r.GetPdbViolations(), OrphanVMs: r.GetOrphanVms(), Errors: append([]string{}, e.GetErrors()...),
	}
}

// eventView is one relayed event, for the page's log and its list of
// blocked evictions (whose details name the pod and the PDB).
type eventView struct {
	Sequence uint64            `json:"sequence"`
	Time     string            `json:"time,omitempty"`
	Kind     string            `json:"kind"`
	Node     string            `json:"node,omitempty"`
	Batch    int32             `json:"batch,omitempty"`
	Message  string            `json:"message"`
	Details  map[string]string `json:"details,omitempty"`
}

func eventViewOf(ev *rebalancerv1.ExecutionEvent) eventView {
	v := eventView{
		Sequence: ev.GetSequence(), Kind: strings.TrimPrefix(ev.GetKind().String(), "EVENT_KIND_"),
		Node: ev.GetNodeName(), Batch: ev.GetBatchNumber(), Message: ev.GetMessage(), Details: ev.GetDetails(),
	}
	if ev.GetTime() != nil {
		v.Time = ev.GetTime().AsTime().Format(time.RFC3339)
	}
	return v
}

func statusName(s rebalancerv1.ExecutionStatus) string {
	return strings.TrimPrefix(s.String(), "EXECUTION_STATUS_")
}

func phaseName(p rebalancerv1.NodePhase) string {
	return strings.TrimPrefix(p.String(), "NODE_PHASE_")
}

func finished(s rebalancerv1.ExecutionStatus) bool {
	switch s {
	case rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED,
		rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK:
		return true
	}
	return false
}
