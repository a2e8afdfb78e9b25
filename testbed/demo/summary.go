package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/vpsie/node-rebalancer/cli/output"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/invariants"
)

// Summary is what happened, each figure from its witness: the execution's
// result (status, nodes replaced, duration), the simulator's VMs before
// and after (offerings, savings, orphans) and the invariant monitor
// (violations, PDB ones among them).
type Summary struct {
	Status     rebalancerv1.ExecutionStatus
	Replaced   int32
	Total      int32
	Duration   time.Duration
	Before     fleet
	After      fleet
	Orphans    int // group VMs in the simulator that are no Ready member
	Violations []invariants.Violation
}

// OK is true only when everything the demo claims held.
func (s Summary) OK() bool {
	return s.Status == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED && s.Total > 0 &&
		s.Replaced == s.Total && s.Orphans == 0 && len(s.Violations) == 0
}

// PDBViolations counts the monitor's findings against PDBs.
func (s Summary) PDBViolations() int {
	n := 0
	for _, v := range s.Violations {
		if v.Invariant == "PDB" {
			n++
		}
	}
	return n
}

// Line is the one line the demo ends with, for example
//
//	rebalance complete: 6/6 nodes replaced (standard-8 → compute-4), savings $144.00/month, 3m12s, PDB violations 0, orphan VMs 0
func (s Summary) Line() string {
	verdict := "rebalance complete"
	if !s.OK() {
		verdict = "rebalance FAILED (" + output.Status(s.Status) + ")"
	}
	line := fmt.Sprintf("%s: %d/%d nodes replaced (%s → %s), savings %s/month, %s, PDB violations %d, orphan VMs %d",
		verdict, s.Replaced, s.Total, s.Before.offerings(), s.After.offerings(),
		output.Dollars(s.Before.monthlyCents-s.After.monthlyCents), s.Duration.Round(time.Second),
		s.PDBViolations(), s.Orphans)
	if other := len(s.Violations) - s.PDBViolations(); other > 0 {
		line += fmt.Sprintf(", other invariant violations %d", other)
	}
	return line
}

// fleet is the group's VMs at one moment, priced from the catalogue.
type fleet struct {
	byOffering   map[string]int
	monthlyCents int64
}

// offerings names the offerings in use, most VMs first, e.g. "compute-4"
// or "compute-4+standard-8" when a rebalance stopped half-way.
func (f fleet) offerings() string {
	names := make([]string, 0, len(f.byOffering))
	for name := range f.byOffering {
		names = append(names, name)
	}
	sortByCount(names, f.byOffering)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "+")
}
