package output_test

import (
	"io"
	"testing"

	"github.com/vpsie/node-rebalancer/cli/internal/golden"
	"github.com/vpsie/node-rebalancer/cli/internal/testfixture"
	"github.com/vpsie/node-rebalancer/cli/output"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// A rollback that failed and is being retried shows as needing attention,
// with the Executor's reason, in get and in list.
func TestAnExecutionNeedingAttentionSaysWhy(t *testing.T) {
	t.Parallel()
	stuck := testfixture.Execution()
	stuck.ExecutionId = "exec-stuck0123456789abcd"
	stuck.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLING_BACK
	stuck.StatusMessage = "Needs attention: the rollback failed (attempt 2): replacement web-a-r1 could not be drained: " +
		"pods [shop/db-0] blocked by PDBs [shop/db]; tried again at 2026-12-06T09:10:40Z, until it succeeds or CancelExecution stops the retries"
	list := &rebalancerv1.ListExecutionsResponse{Executions: []*rebalancerv1.ExecutionState{stuck, testfixture.Execution()}}
	for name, table := range map[string]func(io.Writer) error{
		"execution_attention_table": func(w io.Writer) error { return output.ExecutionTable(w, stuck) },
		"list_attention_table":      func(w io.Writer) error { return output.ExecutionListTable(w, list) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			golden.Assert(t, name, print(t, output.Table, nil, table))
		})
	}
}
