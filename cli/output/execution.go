package output

import (
	"fmt"
	"io"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// ExecutionTable shows one execution: where it stands, each node, and the
// failures and result when there are any.
func ExecutionTable(w io.Writer, e *rebalancerv1.ExecutionState) error {
	pairs := []string{
		"Execution", e.GetExecutionId(),
		"Plan", e.GetPlanId(),
		"NodeGroup", e.GetNamespace() + "/" + e.GetNodeGroup(),
		"Status", Status(e.GetStatus()),
		"Progress", fmt.Sprintf("%d%% (batch %d)", e.GetProgressPercent(), e.GetCurrentBatch()),
		"Started", Time(e.GetStartedAt()),
		"Completed", Time(e.GetCompletedAt()),
		"Approved by", orDash(e.GetApprovedBy()),
	}
	if err := fields(w, append(pairs, messageField(e)...)...); err != nil {
		return err
	}
	if err := nodeTable(w, e.GetNodes()); err != nil {
		return err
	}
	if err := failureTable(w, e.GetFailedNodes()); err != nil {
		return err
	}
	return resultFields(w, e.GetResult())
}

// attentionPrefix starts the status_message of an execution an operator
// must look at (the Executor's engine.NeedsAttention): a rollback that
// failed and is being retried, or whose retries an operator stopped.
const attentionPrefix = "Needs attention: "

// NeedsAttention says whether an operator must look at e, and why.
func NeedsAttention(e *rebalancerv1.ExecutionState) (string, bool) {
	return strings.CutPrefix(e.GetStatusMessage(), attentionPrefix)
}

// messageField is why the execution stands where it does, as a field:
// "Needs attention" when an operator must act, else "Message"; none
// without a message.
func messageField(e *rebalancerv1.ExecutionState) []string {
	if reason, ok := NeedsAttention(e); ok {
		return []string{"Needs attention", reason}
	}
	if m := e.GetStatusMessage(); m != "" {
		return []string{"Message", m}
	}
	return nil
}

// listStatus is the status column of a listing, flagged when an operator
// must look.
func listStatus(e *rebalancerv1.ExecutionState) string {
	if _, ok := NeedsAttention(e); ok {
		return Status(e.GetStatus()) + " (needs attention)"
	}
	return Status(e.GetStatus())
}

// attentionList names, after a listing, each execution needing attention
// and why.
func attentionList(w io.Writer, list []*rebalancerv1.ExecutionState) error {
	var pairs []string
	for _, e := range list {
		if reason, ok := NeedsAttention(e); ok {
			pairs = append(pairs, e.GetExecutionId(), reason)
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	if err := section(w, "Needs attention:"); err != nil {
		return err
	}
	return fields(w, pairs...)
}

// Status is an execution status without its type prefix.
func Status(s rebalancerv1.ExecutionStatus) string {
	return EnumName(s.String(), "EXECUTION_STATUS_")
}

func nodeTable(w io.Writer, nodes []*rebalancerv1.NodeExecution) error {
	if len(nodes) == 0 {
		return nil
	}
	if err := section(w, "Nodes:"); err != nil {
		return err
	}
	t := newTable(w, "BATCH", "OLD NODE", "PHASE", "NEW NODE", "OFFERING")
	for _, n := range nodes {
		t.row(fmt.Sprint(n.GetBatchNumber()), n.GetOldNode(), EnumName(n.GetPhase().String(), "NODE_PHASE_"),
			orDash(n.GetNewNode()), orDash(n.GetNewOffering()))
	}
	return t.flush()
}

func failureTable(w io.Writer, failures []*rebalancerv1.NodeFailure) error {
	if len(failures) == 0 {
		return nil
	}
	if err := section(w, "Failures:"); err != nil {
		return err
	}
	t := newTable(w, "NODE", "PHASE", "MESSAGE")
	for _, f := range failures {
		t.row(f.GetNodeName(), EnumName(f.GetPhase().String(), "NODE_PHASE_"), f.GetMessage())
	}
	return t.flush()
}

func resultFields(w io.Writer, r *rebalancerv1.RebalanceResult) error {
	if r == nil {
		return nil
	}
	if err := section(w, "Result:"); err != nil {
		return err
	}
	return fields(w,
		"Replaced", fmt.Sprintf("%d of %d (%d failed)", r.GetNodesReplaced(), r.GetNodesTotal(), r.GetNodesFailed()),
		"Savings", Dollars(r.GetRealizedMonthlySavingsCents())+"/month realized",
		"Duration", Duration(r.GetDuration()),
		"PDB violations", fmt.Sprint(r.GetPdbViolations()),
		"Orphan VMs", fmt.Sprint(r.GetOrphanVms()),
	)
}

// ExecutionListTable shows one line per execution, newest first as listed.
func ExecutionListTable(w io.Writer, list *rebalancerv1.ListExecutionsResponse) error {
	t := newTable(w, "EXECUTION", "NODEGROUP", "STATUS", "PROGRESS", "NODES", "STARTED")
	for _, e := range list.GetExecutions() {
		t.row(e.GetExecutionId(), e.GetNamespace()+"/"+e.GetNodeGroup(), listStatus(e),
			fmt.Sprintf("%d%%", e.GetProgressPercent()),
			fmt.Sprintf("%d/%d", len(e.GetCompletedNodes()), len(e.GetNodes())), Time(e.GetStartedAt()))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if err := attentionList(w, list.GetExecutions()); err != nil {
		return err
	}
	if tok := list.GetNextPageToken(); tok != "" {
		_, err := fmt.Fprintf(w, "\nMore: --page-token %s\n", tok)
		return err
	}
	return nil
}
