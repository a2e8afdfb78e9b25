package nodestep

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// Every replacement of a plan asks for the same offering: VPSie is asked
// once per execution.
func TestAnOfferingIsLookedUpOncePerExecution(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	dc, target := u.r.x.GroupSpec().Datacenter, u.r.x.Plan().GetOpportunity().GetTargetOffering()
	first, err := u.r.offering(t.Context(), dc, target)
	require.NoError(t, err)
	again, err := u.r.offering(t.Context(), dc, target)
	require.NoError(t, err)
	require.Equal(t, first, again)
	require.Len(t, u.cloud.Calls(cloudfake.OpListOfferings), 1)
	require.Empty(t, u.cloud.Calls(cloudfake.OpGetOffering), "the list answers every offering in it")
}
