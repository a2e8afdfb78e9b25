package e2e_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// provisionedGroup creates a group of two standard-8 nodes in dc-nyc1
// provisioned as p, running a Deployment of two replicas.
func provisionedGroup(t *testing.T, p v1alpha1.Provisioning) (ns, name string) {
	t.Helper()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	ng, _ := fixtures.CreateGroup(t, sb, fixtures.Group{Namespace: ns, Offering: fixtures.Standard8, Nodes: 2,
		Datacenter: catalog.NYC1, Provisioning: p})
	w := fixtures.Workloads{Deployments: []*appsv1.Deployment{fixtures.Deployment(ns, "web", ng.Name, 2)}}
	w.Create(t, sb)
	w.WaitRunning(t, sb, 2)
	return ns, ng.Name
}

// The managed mode, through the real HTTP client and the simulator: the
// analysis names the VPSie group of the target size that replacements
// would join, priced from the Kubernetes node sizes.
func TestAManagedGroupNamesItsVPSieGroup(t *testing.T) {
	t.Parallel()
	ns, name := provisionedGroup(t, fixtures.ManagedProvisioning(fixtures.SandboxCluster))
	r := startRig(t, nil).serving(t)
	a := analyze(t, r, ns, name, "compute-4")

	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED, a.GetRecommendedAction(), a.GetSafetyChecks())
	p := a.GetProvisioning()
	require.Equal(t, rebalancerv1.ProvisioningMode_PROVISIONING_MODE_MANAGED, p.GetMode())
	require.Equal(t, fixtures.SandboxClusterID(), p.GetClusterId())
	require.Equal(t, "workers-compute-4", p.GetVpsieGroup())
	require.NotZero(t, p.GetVpsieGroupId())
	require.Contains(t, checkNamed(t, a, checks.NameProvisioning).GetMessage(), "replacements join VPSie node group workers-compute-4")
	require.EqualValues(t, 2*2400, a.GetValidatedMonthlySavingsCents())
}

// A cluster without a VPSie group of the target's size: REJECT, naming the
// missing group; the Analyzer creates no group.
func TestAManagedTargetWithoutAVPSieGroupIsRejected(t *testing.T) {
	t.Parallel()
	ns, name := provisionedGroup(t, fixtures.ManagedProvisioning("sparse"))
	var cluster string
	r := startRig(t, func(sim *vpsiesim.Sim) {
		cluster = sim.AddKubeCluster("sparse", catalog.NYC1)
		_, err := sim.AddKubeGroup(cluster, "workers", "standard-8")
		require.NoError(t, err)
	}).serving(t)
	a := analyze(t, r, ns, name, "compute-4", "standard-8", "compute-8")

	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT, a.GetRecommendedAction())
	c := checkNamed(t, a, checks.NameProvisioning)
	require.Equal(t, rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED, c.GetStatus())
	require.Equal(t, "no VPSie node group of size compute-4 in cluster "+cluster+"; create one in the VPSie console", c.GetMessage())
	require.Equal(t, []string{"standard-8"}, a.GetOpportunity().GetAlternativeOfferings(), "compute-8 has no group either")
}

// The vm mode: priced from the plans; the user-data Secret is read
// through the Analyzer's Kubernetes client, and its absence rejects.
func TestAVMGroupNeedsItsUserDataSecret(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Shared()
	ns, name := provisionedGroup(t, fixtures.VMProvisioning())
	r := startRig(t, nil).serving(t)

	a := analyze(t, r, ns, name, "compute-4")
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT, a.GetRecommendedAction())
	require.Equal(t, "no Secret "+ns+"/"+fixtures.BootstrapSecretName+
		", which spec.provisioning.userData.secretName names for the user data of new VMs",
		checkNamed(t, a, checks.NameProvisioning).GetMessage())

	_, err := sb.Client.CoreV1().Secrets(ns).Create(t.Context(), fixtures.BootstrapSecret(ns, "abcdef.0123456789abcdef"), metav1.CreateOptions{})
	require.NoError(t, err)
	a = analyze(t, r, ns, name, "compute-4")
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED, a.GetRecommendedAction(), a.GetSafetyChecks())
	require.True(t, proto.Equal(&rebalancerv1.Provisioning{Mode: rebalancerv1.ProvisioningMode_PROVISIONING_MODE_VM}, a.GetProvisioning()))
	require.EqualValues(t, 2*2400, a.GetValidatedMonthlySavingsCents())
}
