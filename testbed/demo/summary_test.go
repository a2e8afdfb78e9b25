package demo

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/invariants"
)

// complete is the summary of a run where everything held; each case below
// changes one thing.
func complete() Summary {
	return Summary{
		Status: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, Replaced: 6, Total: 6,
		Duration: 3*time.Minute + 12*time.Second,
		Before:   fleet{byOffering: map[string]int{"standard-8": 6}, monthlyCents: 6 * 4800},
		After:    fleet{byOffering: map[string]int{"compute-4": 6}, monthlyCents: 6 * 2400},
	}
}

func TestSummaryLine(t *testing.T) {
	t.Parallel()
	pdb := invariants.Violation{Invariant: "PDB", Message: "web/web-1 deleted past its budget"}
	floor := invariants.Violation{Invariant: "capacity floor", Message: "2 Ready, floor 3"}
	tests := []struct {
		name   string
		change func(*Summary)
		ok     bool
		want   string
	}{
		{"a run where everything held is complete", func(*Summary) {}, true,
			"rebalance complete: 6/6 nodes replaced (standard-8 → compute-4), savings $144.00/month, 3m12s, PDB violations 0, orphan VMs 0"},
		{"a failed execution fails, with the offerings and savings actually running", func(s *Summary) {
			s.Status, s.Replaced = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, 2
			s.After = fleet{byOffering: map[string]int{"standard-8": 4, "compute-4": 2}, monthlyCents: 4*4800 + 2*2400}
		}, false,
			"rebalance FAILED (ROLLED_BACK): 2/6 nodes replaced (standard-8 → standard-8+compute-4), savings $48.00/month, 3m12s, PDB violations 0, orphan VMs 0"},
		{"a success with a node not replaced fails", func(s *Summary) { s.Replaced = 5 }, false,
			"rebalance FAILED (SUCCEEDED): 5/6 nodes replaced (standard-8 → compute-4), savings $144.00/month, 3m12s, PDB violations 0, orphan VMs 0"},
		{"an orphan VM fails", func(s *Summary) { s.Orphans = 1 }, false,
			"rebalance FAILED (SUCCEEDED): 6/6 nodes replaced (standard-8 → compute-4), savings $144.00/month, 3m12s, PDB violations 0, orphan VMs 1"},
		{"a PDB violation fails", func(s *Summary) { s.Violations = []invariants.Violation{pdb} }, false,
			"rebalance FAILED (SUCCEEDED): 6/6 nodes replaced (standard-8 → compute-4), savings $144.00/month, 3m12s, PDB violations 1, orphan VMs 0"},
		{"any other invariant violation fails and is counted", func(s *Summary) { s.Violations = []invariants.Violation{floor, pdb} }, false,
			"rebalance FAILED (SUCCEEDED): 6/6 nodes replaced (standard-8 → compute-4), savings $144.00/month, 3m12s, PDB violations 1, orphan VMs 0, other invariant violations 1"},
		{"an empty execution is no success", func(s *Summary) { s.Replaced, s.Total = 0, 0 }, false,
			"rebalance FAILED (SUCCEEDED): 0/0 nodes replaced (standard-8 → compute-4), savings $144.00/month, 3m12s, PDB violations 0, orphan VMs 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := complete()
			tt.change(&s)
			require.Equal(t, tt.ok, s.OK())
			require.Equal(t, tt.want, s.Line())
		})
	}
}
