package nodestep

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// joinedOn is a unit whose replacement of old-0 was provisioned (the
// target withdrawn, so the first alternative runs when one is given) and
// recorded Ready, as join leaves it.
func joinedOn(t *testing.T, minLive int32, alternatives ...string) *unit {
	t.Helper()
	u := newUnit(t, alternatives...)
	if len(alternatives) > 0 {
		u.cloud.MakeUnavailable(catalog.NYC1, "compute-4")
	}
	u.x.live.MinSavingsPercent = minLive
	require.NoError(t, provision(t.Context(), u.n))
	require.NoError(t, u.n.enter(t.Context(), rebalancerv1.NodePhase_NODE_PHASE_READY,
		func(ne *rebalancerv1.NodeExecution, _ *store.NodeBook) { ne.NewNode = "new-0" }))
	return u
}

func TestSavingsCheckLetsACheaperReplacementThrough(t *testing.T) {
	t.Parallel()
	u := joinedOn(t, 20)
	require.NoError(t, checkSavings(t.Context(), u.n), "compute-4 at $24 saves 50%% of standard-8 at $48")
	require.Len(t, u.cloud.VMs(), 1, "the replacement stays")
}

func TestSavingsCheckRollsBackWhatFallsShort(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		fallback string
		minLive  int32
		liveErr  error
		planMin  int32
		prices   []string
	}{
		"a fallback dearer than the node it replaces":     {fallback: "standard-16", prices: []string{"$96.00", "$48.00"}},
		"a fallback under the group's live least savings": {fallback: "compute-8", minLive: 10, prices: []string{"$47.50", "$48.00", "10%"}},
		"an unreadable group leaves the plan's least":     {fallback: "compute-8", liveErr: errors.New("down"), planMin: 5, prices: []string{"$47.50", "5%"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := joinedOn(t, c.minLive, c.fallback)
			u.x.liveErr = c.liveErr
			u.x.rec.Plan.Policy.MinSavingsPercent = c.planMin
			err := checkSavings(t.Context(), u.n)
			var f *Failure
			require.ErrorAs(t, err, &f)
			require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_READY, f.Phase, "stopped before any cordon")
			for _, p := range c.prices {
				require.Contains(t, f.Message, p)
			}
			require.Contains(t, f.Message, c.fallback)
			require.Empty(t, u.cloud.VMs(), "the replacement is deleted")
		})
	}
}

// Savings count over every replacement that exists: an earlier cheap one
// carries a later fallback that alone would fall short.
func TestSavingsCheckCountsThePlansReplacementsSoFar(t *testing.T) {
	t.Parallel()
	u := joinedOn(t, 10, "compute-8")
	addDoneNode(u, "old-1", "compute-2")
	require.NoError(t, checkSavings(t.Context(), u.n), "($48-$12.50)+($48-$47.50) of $96 is 37.5%%")
}

// addDoneNode adds old to the plan's batch and records it replaced by
// offering.
func addDoneNode(u *unit, old, offering string) {
	p := u.x.rec.Plan
	p.Batches[0].Nodes = append(p.Batches[0].Nodes, &rebalancerv1.CandidateNode{NodeName: old, CurrentOffering: "standard-8"})
	u.x.rec.State.Nodes = append(u.x.rec.State.Nodes, &rebalancerv1.NodeExecution{OldNode: old,
		Phase: rebalancerv1.NodePhase_NODE_PHASE_DONE, NewOffering: offering})
}

func TestDollarsWritesCents(t *testing.T) {
	t.Parallel()
	require.Equal(t, "$47.50", dollars(4750))
	require.Equal(t, "-$0.05", dollars(-5))
}

// A running VM keeps its price when its datacenter stops selling the
// offering: it is priced as another datacenter sells it.
func TestPriceListPricesAWithdrawnOfferingFromElsewhere(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	u.cloud.MakeUnavailable(catalog.NYC1, "compute-4")
	cents, err := NewPriceList(u.cloud, catalog.NYC1, false).Cents(t.Context(), "compute-4")
	require.NoError(t, err)
	require.EqualValues(t, 2400, cents)
}

// A price list reads the datacenter's plans once: the old and the new
// offering are both in it.
func TestPriceListListsTheDatacenterOnce(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	prices := NewPriceList(u.cloud, catalog.NYC1, false)
	for range 2 {
		_, err := prices.Saving(t.Context(), "standard-8", "compute-4")
		require.NoError(t, err)
	}
	require.Len(t, u.cloud.Calls(cloudfake.OpListOfferings), 1)
	require.Empty(t, u.cloud.Calls(cloudfake.OpGetOffering))
}
