package planner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// steps renders rollback steps as "ACTION node@batch".
func steps(rb *rebalancerv1.RollbackPlan) []string {
	out := make([]string, len(rb.GetSteps()))
	for i, s := range rb.GetSteps() {
		action := strings.TrimPrefix(s.GetAction().String(), "ROLLBACK_ACTION_")
		out[i] = fmt.Sprintf("%s %s@%d", action, s.GetNodeName(), s.GetBatchNumber())
	}
	return out
}

func TestRollingRollbackUncordonsFirstThenRemovesUnneededReplacements(t *testing.T) {
	t.Parallel()
	plan, err := CreatePlan(validAnalysis(2), nil)
	require.NoError(t, err)
	require.True(t, plan.GetRollbackPlan().GetAutomatic())
	require.Equal(t, []string{
		"STOP_EXECUTION @0",
		"UNCORDON_NODE web-000@1", "UNCORDON_NODE web-001@2",
		"DELETE_NEW_NODE web-000@1", "DELETE_NEW_NODE web-001@2",
		"KEEP_REPLACEMENT web-000@1", "KEEP_REPLACEMENT web-001@2",
		"VERIFY_WORKLOADS @0",
	}, steps(plan.GetRollbackPlan()))
	for i, s := range plan.GetRollbackPlan().GetSteps() {
		require.Equal(t, int32(i+1), s.GetOrder())
		require.NotEmpty(t, s.GetDescription())
	}
}

// Blue-green undoes per phase: blue is uncordoned where it was drained, green
// removed where it was provisioned, and green kept where blue was terminated.
func TestBlueGreenRollbackPointsAtEachPhase(t *testing.T) {
	t.Parallel()
	a := validAnalysis(2)
	a.Policy.MaxSurge = 2
	plan, err := CreatePlan(a, &rebalancerv1.PlanOverrides{Strategy: blueGreenStrategy})
	require.NoError(t, err)
	require.Equal(t, []string{
		"STOP_EXECUTION @0",
		"UNCORDON_NODE web-000@3", "UNCORDON_NODE web-001@4",
		"DELETE_NEW_NODE web-000@1", "DELETE_NEW_NODE web-001@2",
		"KEEP_REPLACEMENT web-000@5", "KEEP_REPLACEMENT web-001@6",
		"VERIFY_WORKLOADS @0",
	}, steps(plan.GetRollbackPlan()))
	require.Contains(t, plan.GetRollbackPlan().GetSteps()[1].GetDescription(), "blue node web-000")
}

func TestRollbackStaysAutomaticWhenDrainsAreForced(t *testing.T) {
	t.Parallel()
	a := validAnalysis(2)
	a.Policy.DrainTimeoutAction = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE
	plan, err := CreatePlan(a, nil)
	require.NoError(t, err)
	require.True(t, plan.GetRollbackPlan().GetAutomatic())
}
