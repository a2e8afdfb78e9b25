package crdtest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// A group that says nothing about rebalancing gets the seed's policy,
// and one that names only its cluster the managed mode.
func TestNodeGroupDefaultsAreTheSeeds(t *testing.T) {
	t.Parallel()
	ns := sandboxtest.Namespace(t)
	ng := &v1alpha1.NodeGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: v1alpha1.NodeGroupSpec{MinNodes: 1, MaxNodes: 3, Datacenter: "dc-1", OfferingIDs: []string{"standard-8"},
			Provisioning: v1alpha1.Provisioning{ClusterID: "c-1"}},
	}
	got, err := sandboxtest.Shared().Autoscaler.NodeGroups(ns).Create(t.Context(), ng, metav1.CreateOptions{})
	require.NoError(t, err)

	require.Equal(t, v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningManaged, ClusterID: "c-1"}, got.Spec.Provisioning)

	require.Equal(t, v1alpha1.RebalancingPolicy{
		Enabled:                   ptr.To(true),
		Strategy:                  v1alpha1.StrategyRolling,
		MaxConcurrent:             2,
		BatchSize:                 0, // unset: as many as maxConcurrent (the lanes)
		MaxSurge:                  1,
		DrainTimeout:              &metav1.Duration{Duration: 300 * time.Second},
		DrainTimeoutAction:        v1alpha1.DrainTimeoutRollback,
		ProvisionTimeout:          &metav1.Duration{Duration: 600 * time.Second},
		CooldownPeriod:            &metav1.Duration{Duration: time.Hour},
		RequireApproval:           false,
		MinHealthyPercent:         ptr.To[int32](75),
		MinSavingsPercent:         ptr.To[int32](10),
		SkipNodesWithLocalStorage: ptr.To(true),
		RespectPDBs:               ptr.To(true),
		TimeZone:                  "UTC",
		// Moving a single replica by a surging rollout only ever avoids
		// downtime, so a group gets it unless it says otherwise.
		RolloutSingleReplicaDeployments: ptr.To(true),
	}, got.Spec.Rebalancing)
}

// Explicit false and zero survive: the API server must not default them.
func TestNodeGroupKeepsExplicitZeroValues(t *testing.T) {
	t.Parallel()
	ns := sandboxtest.Namespace(t)
	ng := valid(ns)
	ng.Spec.Rebalancing.Enabled = ptr.To(false)
	ng.Spec.Rebalancing.RespectPDBs = ptr.To(false)
	ng.Spec.Rebalancing.RolloutSingleReplicaDeployments = ptr.To(false)
	ng.Spec.Rebalancing.MinHealthyPercent = ptr.To[int32](0)
	got, err := sandboxtest.Shared().Autoscaler.NodeGroups(ns).Create(t.Context(), ng, metav1.CreateOptions{})
	require.NoError(t, err)
	require.False(t, *got.Spec.Rebalancing.Enabled)
	require.False(t, *got.Spec.Rebalancing.RespectPDBs)
	require.False(t, *got.Spec.Rebalancing.RolloutSingleReplicaDeployments)
	require.Zero(t, *got.Spec.Rebalancing.MinHealthyPercent)
}

// The vm mode's template is read from the key userData unless the group
// names another.
func TestUserDataKeyDefaultsToUserData(t *testing.T) {
	t.Parallel()
	ns := sandboxtest.Namespace(t)
	ng := valid(ns)
	ng.Spec.Provisioning = v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningVM,
		UserData: &v1alpha1.UserDataTemplate{SecretName: "node-bootstrap"}}
	got, err := sandboxtest.Shared().Autoscaler.NodeGroups(ns).Create(t.Context(), ng, metav1.CreateOptions{})
	require.NoError(t, err)
	require.Equal(t, &v1alpha1.UserDataTemplate{SecretName: "node-bootstrap", Key: "userData"}, got.Spec.Provisioning.UserData)
}
