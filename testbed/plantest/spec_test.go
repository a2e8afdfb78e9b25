package plantest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
)

func node(name, vm string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.NodeSpec{ProviderID: v1alpha1.ProviderID(vm)}}
}

// The analysis carries the policy GroupPolicy sets on the group, as the
// Analyzer would read it back, and the request is one the Planner's
// interceptor accepts.
func TestTheAnalysisCarriesTheGroupsPolicy(t *testing.T) {
	t.Parallel()
	s := plantest.Spec{Namespace: "shop", Group: "web", Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
		Replace: []*corev1.Node{node("web-0", "vm-0"), node("web-1", "vm-1")}, Keep: []*corev1.Node{node("web-2", "vm-2")},
		Target: "compute-4", Alternatives: []string{"compute-2"}, DrainTimeout: 3 * time.Second,
		OnTimeout: rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE, IgnorePDBs: true, Rollout: proto.Bool(false)}
	group := &v1alpha1.NodeGroup{ObjectMeta: metav1.ObjectMeta{UID: "uid-1", Generation: 3},
		Spec: v1alpha1.NodeGroupSpec{Datacenter: "nyc1", Rebalancing: s.GroupPolicy()}}
	req := s.Request(group)
	require.NoError(t, apivalidate.Request(req))

	a, gp := req.GetAnalysis(), group.Spec.Rebalancing
	p := a.GetPolicy()
	require.Equal(t, []int32{gp.MaxConcurrent, gp.BatchSize, gp.MaxSurge}, []int32{p.GetMaxConcurrent(), p.GetBatchSize(), p.GetMaxSurge()})
	require.Equal(t, gp.DrainTimeout.Duration, p.GetDrainTimeout().AsDuration())
	require.Equal(t, gp.ProvisionTimeout.Duration, p.GetProvisionTimeout().AsDuration())
	require.Equal(t, v1alpha1.DrainTimeoutForce, gp.DrainTimeoutAction)
	require.Equal(t, rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE, p.GetDrainTimeoutAction())
	require.Equal(t, *gp.RolloutSingleReplicaDeployments, p.GetRolloutSingleReplicaDeployments())
	require.Equal(t, *gp.MinHealthyPercent, p.GetMinHealthyPercent())
	require.False(t, *gp.RespectPDBs)
	require.False(t, p.GetRespectPdbs())
	require.Equal(t, gp.AlternativeOfferings, p.GetAlternativeOfferings())
	require.Equal(t, []string{"compute-2"}, a.GetOpportunity().GetAlternativeOfferings())
	require.Equal(t, "uid-1", a.GetNodeGroupUid())
	require.EqualValues(t, 3, a.GetNodeGroupGeneration())
	require.EqualValues(t, 3, a.GetTotalNodes(), "replaced and kept nodes")

	var safe []string
	for _, c := range a.GetCandidateNodes() {
		if c.GetSafeToRebalance() {
			safe = append(safe, c.GetNodeName())
		}
	}
	require.Equal(t, []string{"web-0", "web-1"}, safe)
	require.Greater(t, a.GetCandidateNodes()[0].GetPriorityScore(), a.GetCandidateNodes()[1].GetPriorityScore(), "replaced in order")
}

// Rolling narrows the group's limits to one node at a time; the other
// strategies keep the group's, which fit every node at once.
func TestOverridesOnlyNarrowTheGroupsLimits(t *testing.T) {
	t.Parallel()
	for strategy, want := range map[rebalancerv1.RebalanceStrategy]*int32{
		rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING:    proto.Int32(1),
		rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE:      nil,
		rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN: nil,
	} {
		s := plantest.Spec{Namespace: "shop", Group: "web", Strategy: strategy, Target: "compute-4", RequireApproval: true,
			Replace: []*corev1.Node{node("web-0", "vm-0"), node("web-1", "vm-1")}}
		o := s.Request(&v1alpha1.NodeGroup{}).GetOverrides()
		require.Equal(t, strategy, o.GetStrategy())
		require.Equal(t, want, o.BatchSize, strategy.String())
		require.Equal(t, want, o.MaxConcurrent, strategy.String())
		require.Equal(t, want, o.MaxSurge, strategy.String())
		require.True(t, o.GetRequireApproval())
	}
}
