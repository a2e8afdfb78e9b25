package nodestep

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// secondLane adds old-1 to the unit's plan, in the same batch: a second
// lane adding to the same VPSie group.
func (u *managedUnit) secondLane(t *testing.T) *Node {
	t.Helper()
	cand := &rebalancerv1.CandidateNode{NodeName: "old-1", VmIdentifier: "vm-old-1", CurrentOffering: "standard-8", TargetOffering: "compute-4"}
	require.NoError(t, u.x.write(func(r *store.Record) {
		r.Plan.Batches[0].Nodes = append(r.Plan.Batches[0].Nodes, cand)
		r.State.Nodes = append(r.State.Nodes, &rebalancerv1.NodeExecution{OldNode: "old-1", OldVmIdentifier: "vm-old-1",
			Phase: rebalancerv1.NodePhase_NODE_PHASE_PENDING})
	}))
	return u.r.Node(cand, 1)
}

// Seeds 1022 and 1029: two lanes add to one VPSie group. The first lane's
// node never registers; the second's does. The first lane neither claims
// nor deletes the second's node: it gives up on, and deletes, its own,
// and the second lane claims its own.
func TestALaneClaimsAndDeletesOnlyTheNodeItsAddBought(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	a, b := u.n, u.secondLane(t)
	require.NoError(t, provision(t.Context(), a))
	require.NoError(t, provision(t.Context(), b))
	mine, theirs := u.added()[0], u.added()[1]
	_, nb := a.state()
	require.Equal(t, mine.ID, nb.ManagedAdd.Node, "each add knows its node")
	_, nb = b.state()
	require.Equal(t, theirs.ID, nb.ManagedAdd.Node)
	u.register(t, theirs, nil)

	_, nb = a.state()
	_, err := a.claimReplacement(t.Context(), u.clock.Now(), nb.ManagedAdd)
	require.ErrorIs(t, err, errWaitTimedOut, "the other lane's node is not a's")
	ne, _ := a.state()
	require.NoError(t, u.r.DeleteReplacement(t.Context(), ne))
	require.Equal(t, []cloud.KubeNode{theirs}, u.added(), "a deleted its own node, never the other's")

	_, nb = b.state()
	node, err := b.claimReplacement(t.Context(), u.clock.Now().Add(minClaimPoll*2), nb.ManagedAdd)
	require.NoError(t, err)
	require.Equal(t, theirs.Hostname, node.Name)
	require.Equal(t, "exec-1/old-1", u.k.node(theirs.Hostname).Annotations[v1alpha1.AnnotationReplacementFor])
}

// addRacedByAnother is VPSie taking another client's add to the same
// group at the moment of ours: the add's node cannot be told apart.
type addRacedByAnother struct{ *cloudfake.Provider }

func (p addRacedByAnother) AddKubeNode(ctx context.Context, cluster string, group int64) error {
	if err := p.Provider.AddKubeNode(ctx, cluster, group); err != nil {
		return err
	}
	return p.Provider.AddKubeNode(ctx, cluster, group)
}

// An add whose node cannot be told apart deletes no node it did not
// claim: either may be someone else's. The reconciler reclaims the one
// left unclaimed.
func TestAnUnattributedAddDeletesNoNodeItDidNotClaim(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	u.r.env.Cloud = addRacedByAnother{u.cloud}
	require.NoError(t, provision(t.Context(), u.n))
	_, nb := u.n.state()
	require.Empty(t, nb.ManagedAdd.Node)
	ne, _ := u.n.state()
	require.NoError(t, u.r.DeleteReplacement(t.Context(), ne))
	require.Len(t, u.added(), 2, "neither is known to be ours")
}
