package nodestep

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// managedUnit is the unit's group in the managed mode: a cluster with a
// VPSie group of standard-8 (the old node's) and, unless noTarget, one of
// compute-4 (the target's).
type managedUnit struct {
	*unit
	k       *smallKube
	cluster string
	target  cloud.KubeGroup
}

func newManagedUnit(t *testing.T, noTarget bool) *managedUnit {
	t.Helper()
	k := newSmallKube()
	u := &managedUnit{unit: newSmallUnit(t, k), k: k}
	u.cluster = u.cloud.AddKubeCluster("unit", catalog.NYC1)
	old, err := u.cloud.AddKubeGroup(u.cluster, "g-standard-8", "standard-8")
	require.NoError(t, err)
	require.NoError(t, u.cloud.AddKubeNode(t.Context(), u.cluster, old.ID), "the old node")
	if !noTarget {
		u.target, err = u.cloud.AddKubeGroup(u.cluster, "g-compute-4", "compute-4")
		require.NoError(t, err)
	}
	require.NoError(t, u.x.write(func(r *store.Record) {
		r.Book.Provisioning = v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningManaged, ClusterID: u.cluster}
		r.Book.GroupTaints = []corev1.Taint{{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule}}
	}))
	return u
}

// register makes kn's Node register, Ready, as VPSie's bootstrap and cloud
// controller would: named after the hostname, with the providerID.
func (u *managedUnit) register(t *testing.T, kn cloud.KubeNode, annotations map[string]string) {
	t.Helper()
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: kn.Hostname, Annotations: annotations,
			Labels: map[string]string{v1alpha1.LabelInstanceType: "compute-4"}},
		Spec: corev1.NodeSpec{ProviderID: kn.ProviderID()},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}},
	}
	u.k.addNode(node)
}

// added are the cluster's nodes added after the old one.
func (u *managedUnit) added() []cloud.KubeNode { return u.cloud.KubeNodes(u.cluster)[1:] }

func TestManagedProvisionAddsOneNodeToTheTargetsGroup(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	require.NoError(t, provision(t.Context(), u.n))
	adds := u.cloud.Calls(cloudfake.OpAddKubeNode)
	require.Len(t, adds, 2, "the old node's, then the replacement's")
	require.Len(t, u.added(), 1)
	require.Equal(t, u.target.ID, u.added()[0].GroupID)
	ne, nb := u.n.state()
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_JOINING, ne.GetPhase())
	require.Equal(t, "compute-4", ne.GetNewOffering())
	require.Empty(t, ne.GetNewVmIdentifier(), "VPSie named nothing: found when it registers")
	require.True(t, nb.ManagedAdd.Sent)
	require.Equal(t, []string{u.cloud.KubeNodes(u.cluster)[0].ID}, nb.ManagedAdd.Known, "the node already there is never taken")
}

// Stopped after VPSie took the add but before the record said so, a
// resumed step finds the node added and does not add a second.
func TestManagedProvisionResumedNeverAddsTwice(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	require.NoError(t, provision(t.Context(), u.n))
	require.NoError(t, u.x.write(func(r *store.Record) {
		stateOf(r, "old-0").Phase = rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING
		r.Book.Nodes["old-0"].ManagedAdd.Sent = false
	}))
	require.NoError(t, provision(t.Context(), u.n))
	require.Len(t, u.added(), 1, "one node bought")
}

// addTakesEffectThenFails is VPSie answering a 502 after it added the node.
type addTakesEffectThenFails struct {
	*cloudfake.Provider
	failed bool
}

func (p *addTakesEffectThenFails) AddKubeNode(ctx context.Context, cluster string, group int64) error {
	if err := p.Provider.AddKubeNode(ctx, cluster, group); err != nil {
		return err
	}
	if p.failed {
		return nil
	}
	p.failed = true
	return cloud.NewError(cloud.ErrTransient, "AddKubeNode", "502 after the work")
}

func TestManagedAddFailingAfterTheWorkIsNotRepeated(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	u.r.env.Cloud = &addTakesEffectThenFails{Provider: u.cloud}
	require.NoError(t, provision(t.Context(), u.n))
	require.Len(t, u.added(), 1, "the retry saw the node added and did not add again")
}

func TestManagedProvisionRefusesASizeWithoutAVPSieGroup(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, true)
	err := provision(t.Context(), u.n)
	var f *Failure
	require.ErrorAs(t, err, &f)
	require.Contains(t, f.Message, "no VPSie node group of size compute-4 in cluster "+u.cluster)
	require.Empty(t, u.added(), "nothing bought")
}

// The node VPSie added is claimed once it registers: the claim, the
// group's label and taints in one write; it is recorded as the
// replacement and joins.
func TestManagedJoinClaimsTheNodeAddedForIt(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	require.NoError(t, provision(t.Context(), u.n))
	kn := u.added()[0]
	u.register(t, kn, nil)
	require.NoError(t, join(t.Context(), u.n))
	ne, _ := u.n.state()
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_READY, ne.GetPhase())
	require.Equal(t, kn.ID, ne.GetNewVmIdentifier())
	require.Equal(t, kn.Hostname, ne.GetNewNode())
	node := u.k.node(kn.Hostname)
	require.Equal(t, "exec-1/old-0", node.Annotations[v1alpha1.AnnotationReplacementFor])
	require.Equal(t, "web", node.Labels[v1alpha1.LabelNodeGroup])
	require.Equal(t, "compute-4", node.Labels[v1alpha1.LabelInstanceType], "VPSie's labels kept")
	require.Equal(t, []corev1.Taint{{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule}}, node.Spec.Taints)
}

// A node another execution claimed first is never taken; the other new
// node is (another client's add raced ours: neither is known as ours).
func TestManagedJoinNeverTakesANodeClaimedByAnother(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	u.r.env.Cloud = addRacedByAnother{u.cloud}
	require.NoError(t, provision(t.Context(), u.n))
	first, second := u.added()[0], u.added()[1]
	u.register(t, first, map[string]string{v1alpha1.AnnotationReplacementFor: "exec-2/old-9"})
	u.register(t, second, nil)
	require.NoError(t, join(t.Context(), u.n))
	ne, _ := u.n.state()
	require.Equal(t, second.ID, ne.GetNewVmIdentifier())
}

// A rollback deletes the claimed node through VPSie's delete call, which
// takes its VM along.
func TestManagedReplacementIsDeletedThroughTheCluster(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	require.NoError(t, provision(t.Context(), u.n))
	u.register(t, u.added()[0], nil)
	require.NoError(t, join(t.Context(), u.n))
	ne, _ := u.n.state()
	require.NoError(t, u.r.DeleteReplacement(t.Context(), ne))
	require.Empty(t, u.added())
	require.Len(t, u.cloud.Calls(cloudfake.OpDeleteKubeNode), 1)
	require.Empty(t, u.cloud.Calls(cloudfake.OpDeleteVM))
}

// A node VPSie added that never registered is deleted when its
// replacement is given up, so it does not bill on.
func TestManagedNodeThatNeverRegisteredIsDeletedWithItsReplacement(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	require.NoError(t, provision(t.Context(), u.n))
	require.Len(t, u.added(), 1)
	ne, _ := u.n.state()
	require.NoError(t, u.r.DeleteReplacement(t.Context(), ne))
	require.Empty(t, u.added(), "the node that never joined is gone")
}

// The lanes' adds share one listing of the cluster's sizes and groups:
// which group sells which size does not change within an execution.
func TestManagedAddsListTheGroupsOncePerExecution(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	for range 2 {
		g, offering, err := u.n.managedGroup(t.Context())
		require.NoError(t, err)
		require.Equal(t, u.target.ID, g.ID)
		require.Equal(t, "compute-4", offering)
	}
	require.Len(t, u.cloud.Calls(cloudfake.OpListKubeGroups), 1)
	require.Len(t, u.cloud.Calls(cloudfake.OpListKubeOffers), 1)
}

// The node an add bought is known by name from the listing that told it
// apart: the wait for it to register reads Kubernetes, not the VPSie
// cluster every second. A resumed Runner learns the name from one listing.
func TestManagedJoinOfAnAttributedAddListsNoCluster(t *testing.T) {
	t.Parallel()
	u := newManagedUnit(t, false)
	require.NoError(t, provision(t.Context(), u.n))
	listings := len(u.cloud.Calls(cloudfake.OpGetKubeCluster))
	kn := u.added()[0]
	u.register(t, kn, nil)
	require.NoError(t, join(t.Context(), u.n))
	ne, _ := u.n.state()
	require.Equal(t, kn.ID, ne.GetNewVmIdentifier())
	require.Len(t, u.cloud.Calls(cloudfake.OpGetKubeCluster), listings, "claimed without listing VPSie")

	require.NoError(t, u.x.write(func(r *store.Record) {
		ne := stateOf(r, "old-0")
		ne.Phase, ne.NewVmIdentifier, ne.NewNode = rebalancerv1.NodePhase_NODE_PHASE_JOINING, "", ""
	}))
	require.NoError(t, join(t.Context(), u.resumed()))
	ne, _ = u.n.state()
	require.Equal(t, kn.ID, ne.GetNewVmIdentifier())
	require.Len(t, u.cloud.Calls(cloudfake.OpGetKubeCluster), listings+1, "resumed: one listing")
}
