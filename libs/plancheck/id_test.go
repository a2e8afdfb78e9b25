package plancheck

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlanIDIsTheContentsWhateverIDThePlanCarries(t *testing.T) {
	t.Parallel()
	p := rollingPlan()
	require.Regexp(t, `^plan-[0-9a-f]{20}$`, p.GetPlanId())
	stale := p.GetPlanId()
	p.PlanId = "plan-whatever"
	id, err := PlanID(p)
	require.NoError(t, err)
	require.Equal(t, stale, id, "the plan_id field does not count")
	require.Equal(t, "plan-whatever", p.GetPlanId(), "PlanID leaves the plan alone")

	p.Batches[0].Nodes[0].VmIdentifier = "vm-other"
	changed, err := PlanID(p)
	require.NoError(t, err)
	require.NotEqual(t, stale, changed, "any edit changes the ID")
}

func TestMinHealthyNodesRoundsUp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ percent, size, want int32 }{
		{75, 4, 3}, {75, 5, 4}, {100, 7, 7}, {0, 9, 0}, {1, 1, 1}, {50, 3, 2}, {99, 100, 99},
	} {
		require.Equal(t, tc.want, MinHealthyNodes(tc.percent, tc.size), "%d%% of %d", tc.percent, tc.size)
	}
}
