package plancheck

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func TestValidPlansBreakNoRule(t *testing.T) {
	t.Parallel()
	require.Empty(t, Check(rollingPlan()))
	require.Empty(t, Check(blueGreenPlan()))
	reviewed := rollingPlan()
	reviewed.AnalysisVerdict, reviewed.RequiresApproval = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW, true
	require.Empty(t, Check(seal(reviewed)), "a plan to review that waits for its approval")
	require.Equal(t, []Violation{{Field: "plan", Description: "is required"}}, Check(nil))
}

func TestOversizedPlansAreRefusedBeforeTheScheduleIsWorkedOut(t *testing.T) {
	t.Parallel()
	p := rollingPlan()
	for len(p.Batches) <= maxBatches {
		p.Batches = append(p.Batches, batch(int32(len(p.Batches)+1), phaseReplace, []int32{1}, "n-0"))
	}
	found := Check(seal(p))
	require.Equal(t, []Violation{{Field: "plan.batches",
		Description: "holds 3001 batches, more than 3000: a group has at most 1000 nodes, in up to three phases"}}, found)
}

type editCase struct {
	edit func(p *rebalancerv1.RebalancePlan)
	// fields are every violation expected, in the order reported; one of
	// them says says.
	fields []string
	says   string
}

func runEdits(t *testing.T, fixture func() *rebalancerv1.RebalancePlan, cases map[string]editCase) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := fixture()
			tc.edit(p)
			if p.GetPlanId() != "" && p.GetPlanId() != "plan-00000000000000000000" {
				seal(p) // a careful editor re-identifies, so only the edit is at fault
			}
			found := Check(p)
			got := make([]string, len(found))
			for i, v := range found {
				got[i] = v.Field
			}
			require.Equal(t, tc.fields, got, "%v", found)
			require.True(t, slices.ContainsFunc(found, func(v Violation) bool { return strings.Contains(v.Description, tc.says) }),
				"no violation says %q: %v", tc.says, found)
		})
	}
}

// rename renames a node everywhere, as a hand editor would.
func rename(p *rebalancerv1.RebalancePlan, from, to string) {
	for _, b := range p.GetBatches() {
		for _, n := range b.GetNodes() {
			if n.GetNodeName() == from {
				n.NodeName = to
			}
		}
	}
	for _, s := range p.GetRollbackPlan().GetSteps() {
		if s.GetNodeName() == from {
			s.NodeName = to
		}
	}
}

// Each case edits one thing of the valid rolling plan.
func TestNodeRulesNameTheNode(t *testing.T) {
	t.Parallel()
	runEdits(t, rollingPlan, map[string]editCase{
		"a node copied into a second batch": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.Batches[1].Nodes = append(p.Batches[1].Nodes, proto.CloneOf(p.Batches[0].Nodes[0]))
			},
			fields: []string{"plan.batches[1].nodes[2].node_name"}, says: `"n-0" is already in plan.batches[0]`,
		},
		"a node name that is not a Kubernetes name": {
			edit:   func(p *rebalancerv1.RebalancePlan) { rename(p, "n-1", "N_1") },
			fields: []string{"plan.batches[1].nodes[0].node_name"}, says: "not a valid name",
		},
		"a node moving to another offering than the opportunity's": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[0].Nodes[0].TargetOffering = "general-2" },
			fields: []string{"plan.batches[0].nodes[0].target_offering"}, says: `moves to "compute-4"`,
		},
		"a node running another offering than the one replaced": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[1].Nodes[1].CurrentOffering = "standard-4" },
			fields: []string{"plan.batches[1].nodes[1].current_offering"}, says: `replaces "standard-8"`,
		},
		"one VM under two node names": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[1].Nodes[1].VmIdentifier = "vm-n-0" },
			fields: []string{"plan.batches[1].nodes[1].vm_identifier"}, says: `also the VM of node "n-0"`,
		},
		"a node without its VM": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[0].Nodes[0].VmIdentifier = "" },
			fields: []string{"plan.batches[0].nodes[0].vm_identifier"}, says: "is required",
		},
		"a node the Analyzer found unsafe": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.Batches[1].Nodes[0].SafeToRebalance, p.Batches[1].Nodes[0].Reason = false, "local storage"
			},
			fields: []string{"plan.batches[1].nodes[0].safe_to_rebalance"}, says: "local storage",
		},
		"a phase the strategy does not use": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[0].Phase = phaseDrain },
			fields: []string{"plan.batches[0].phase", "plan.batches[0].nodes[0].node_name"}, says: "a REBALANCE_STRATEGY_ROLLING plan does not use",
		},
		"a node count that is not the batches'": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.TotalNodes = 2 },
			fields: []string{"plan.total_nodes"}, says: "3 distinct nodes",
		},
	})
}

// Each case edits one thing of the valid rolling plan's dependencies.
func TestDependencyRulesNameTheReference(t *testing.T) {
	t.Parallel()
	runEdits(t, rollingPlan, map[string]editCase{
		"a batch waiting for a later one": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[0].DependsOn, p.Batches[1].DependsOn = []int32{2}, nil },
			fields: []string{"plan.batches[0].depends_on[0]"}, says: "comes after batch 1",
		},
		"two batches waiting for each other": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[0].DependsOn = []int32{2} },
			fields: []string{"plan.batches[0].depends_on[0]", "plan.batches[0].depends_on[0]"}, says: "comes after batch 1",
		},
		"a batch that does not exist": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[1].DependsOn = []int32{7} },
			fields: []string{"plan.batches[1].depends_on[0]"}, says: "batch 7, which does not exist",
		},
		"a batch waiting for itself": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[1].DependsOn = []int32{1, 2} },
			fields: []string{"plan.batches[1].depends_on[1]"}, says: "batch 2 itself",
		},
		"the same dependency twice": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[1].DependsOn = []int32{1, 1} },
			fields: []string{"plan.batches[1].depends_on[1]"}, says: "repeats depends_on[0]",
		},
		"a batch numbered out of order": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Batches[1].BatchNumber = 5 },
			fields: []string{"plan.batches[1].batch_number"}, says: "want 2",
		},
		"a canary that the other batches do not wait for": {
			edit:   func(p *rebalancerv1.RebalancePlan) { p.Canary, p.Batches[1].DependsOn = true, nil },
			fields: []string{"plan.batches[1].depends_on"}, says: "canary batch 1",
		},
	})
}

func TestCyclesAreNamedWhereTheyClose(t *testing.T) {
	t.Parallel()
	p := rollingPlan()
	p.Batches = append(p.Batches, batch(3, phaseReplace, []int32{2}, "n-3"))
	p.Batches[0].DependsOn = []int32{3}
	found := Check(seal(p))
	require.Contains(t, found, Violation{Field: "plan.batches[0].depends_on[0]",
		Description: "closes a dependency cycle: batch 1 waits for 3, which waits for 2, which waits for 1"})
}
