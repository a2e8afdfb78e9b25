package output

import (
	"fmt"
	"io"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// ExecutionTable shows one execution: where it stands, each node, and the
// failures and result when there are any.
func ExecutionTable(w io.Writer, e *rebalancerv1.ExecutionState) error {
	if err := fields(w,
		"Execution", e.GetExecutionId(),
		"Plan", e.GetPlanId(),
		"NodeGroup", e.GetNamespace()+"/"+e.GetNodeGroup(),
		"Status", Status(e.GetStatus()),
		"Progress", fmt.Sprintf("%d%% (batch %d)", e.GetProgressPercent(), e.GetCurrentBatch()),
		"Started", Time(e.GetStartedAt()),
		"Completed", Time(e.GetCompletedAt()),
		"Approved by", orDash(e.GetApprovedBy()),
	); err != nil {
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
		t.row(e.GetExecutionId(), e.GetNamespace()+"/"+e.GetNodeGroup(), Status(e.GetStatus()),
			fmt.Sprintf("%d%%", e.GetProgressPercent()),
			fmt.Sprintf("%d/%d", len(e.GetCompletedNodes()), len(e.GetNodes())), Time(e.GetStartedAt()))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if tok := list.GetNextPageToken(); tok != "" {
		_, err := fmt.Fprintf(w, "\nMore: --page-token %s\n", tok)
		return err
	}
	return nil
}
