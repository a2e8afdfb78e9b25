package api

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// reidentify gives an edited plan the ID of its new content, as a careful
// hand editor would, so only the edit itself is at fault.
func reidentify(t *testing.T, p *rebalancerv1.RebalancePlan) {
	t.Helper()
	id, err := plancheck.PlanID(p)
	require.NoError(t, err)
	p.PlanId = id
}

// Each case edits one thing of a planned 4-node rolling plan by hand.
func TestValidatePlanCatchesHandEdits(t *testing.T) {
	t.Parallel()
	client, _ := startPlanner(t)
	created, err := client.CreatePlan(t.Context(), validRequest())
	require.NoError(t, err)
	cases := map[string]struct {
		edit        func(p *rebalancerv1.RebalancePlan)
		field, says string
	}{
		"a node copied into a second batch": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.Batches[1].Nodes = append(p.Batches[1].Nodes, proto.CloneOf(p.Batches[0].Nodes[0]))
				reidentify(t, p)
			},
			field: "plan.batches[1].nodes[1].node_name", says: `"web-0" is already in plan.batches[0]`,
		},
		"two batches waiting for each other": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.Batches[0].DependsOn = []int32{2}
				reidentify(t, p)
			},
			field: "plan.batches[0].depends_on[0]", says: "closes a dependency cycle: batch 1 waits for 2, which waits for 1",
		},
		"an edit that keeps the old ID": {
			edit:  func(p *rebalancerv1.RebalancePlan) { p.Batches[3].EstimatedDuration.Seconds = 1 },
			field: "plan.plan_id", says: "the plan's content gives",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plan := proto.CloneOf(created.GetPlan())
			tc.edit(plan)
			resp, err := client.ValidatePlan(t.Context(), &rebalancerv1.ValidatePlanRequest{Plan: plan})
			require.NoError(t, err)
			require.False(t, resp.GetValid())
			found := map[string]string{}
			for _, v := range resp.GetViolations() {
				found[v.GetField()] += v.GetDescription() + "\n"
			}
			require.Contains(t, found, tc.field, "violations: %v", resp.GetViolations())
			require.Contains(t, found[tc.field], tc.says)
		})
	}
}
