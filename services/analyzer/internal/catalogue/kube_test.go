package catalogue

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

func TestKubeOffersArePricedPerDatacenterUnderTheirNumericIDs(t *testing.T) {
	t.Parallel()
	c := New(cloudfake.New(), testingclock.NewFakeClock(start), time.Minute)
	require.NoError(t, c.Refresh(t.Context()))
	snap, _ := c.Snapshot()

	o, availability := snap.KubeOffering(catalog.NYC1, "compute-4")
	require.Equal(t, Available, availability)
	require.InDelta(t, 24.0, o.MonthlyPrice, 0.001)
	require.Regexp(t, `^[0-9]+$`, o.ID, "a Kubernetes size is named by its numeric id")
	byID, availability := snap.KubeOffering(catalog.NYC1, o.ID)
	require.Equal(t, Available, availability)
	require.Equal(t, o, byID)
	require.NotEmpty(t, snap.KubeOffers(catalog.NYC1))
	require.Empty(t, snap.KubeOffers("dc-nowhere"))
}

func TestADatacenterWithoutManagedKubernetesStillPublishesItsPlans(t *testing.T) {
	t.Parallel()
	fake := cloudfake.New()
	fake.NextError(cloudfake.OpListKubeOffers, cloud.NewError(cloud.ErrNotFound, "ListKubeOffers", "no clusters here"))
	c := New(fake, testingclock.NewFakeClock(start), time.Minute)
	require.NoError(t, c.Refresh(t.Context()))
	snap, err := c.Snapshot()
	require.NoError(t, err)
	first := snap.Datacenters[0].ID
	require.Empty(t, snap.KubeOffers(first))
	_, availability := snap.Offering(first, "compute-4")
	require.NotEqual(t, Unknown, availability)
}

func TestAKubeOffersFailureKeepsTheLastSnapshot(t *testing.T) {
	t.Parallel()
	clk := testingclock.NewFakeClock(start)
	fake := cloudfake.New()
	c := New(fake, clk, time.Minute)
	require.NoError(t, c.Refresh(t.Context()))

	clk.Step(time.Minute)
	fake.NextError(cloudfake.OpListKubeOffers, cloud.NewError(cloud.ErrTransient, "ListKubeOffers", "502"))
	require.ErrorContains(t, c.Refresh(t.Context()), "list Kubernetes offers of")
	snap, err := c.Snapshot()
	require.ErrorIs(t, err, cloud.ErrTransient)
	require.Equal(t, start, snap.FetchedAt)
}
