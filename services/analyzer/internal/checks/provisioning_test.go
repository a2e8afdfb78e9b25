package checks_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// onlyGroupsOf replaces the fixture's cloud by one whose cluster has VPSie
// node groups of these sizes only.
func onlyGroupsOf(f *fixture, sizes ...string) {
	f.cloud = cloudfake.New()
	if _, err := testobj.ManagedCluster(f.cloud, sizes...); err != nil {
		panic(err)
	}
}

// vmMode turns the fixture's group to the vm mode, its Secret present.
func vmMode(f *fixture) {
	testobj.VMMode(f.group)
	f.secret = testobj.UserDataSecret("shop")
}

func TestManagedProvisioning(t *testing.T) {
	t.Parallel()
	runCases(t, map[string]testCase{
		"the target's VPSie group is named": {
			want: want{check: checks.NameProvisioning, status: passed, contains: []string{
				"replacements join VPSie node group compute-4 (id ", ") of size compute-4 in cluster " + testobj.ClusterID}},
		},
		"no VPSie group of the target's size": {
			edit: func(f *fixture) { onlyGroupsOf(f, "standard-8") },
			want: want{check: checks.NameProvisioning, status: failed, contains: []string{
				"no VPSie node group of size compute-4 in cluster " + testobj.ClusterID + "; create one in the VPSie console"}},
		},
		"a cluster VPSie does not know": {
			edit: func(f *fixture) { f.group.Spec.Provisioning.ClusterID = "no-such-cluster" },
			want: want{check: checks.NameProvisioning, status: failed, contains: []string{
				"no VPSie Managed Kubernetes cluster no-such-cluster (spec.provisioning.clusterID)"}},
		},
		"groups that cannot be listed now": {
			edit: func(f *fixture) {
				f.cloud.NextError(cloudfake.OpListKubeGroups, cloud.NewError(cloud.ErrTransient, "ListKubeGroups", "502"))
			},
			want: want{check: checks.NameProvisioning, status: failed, wait: true, contains: []string{
				"could not list the VPSie node groups of cluster " + testobj.ClusterID}},
		},
		"an alternative without a group is no fallback": {
			edit: func(f *fixture) { f.opp.AlternativeOfferings = []string{"compute-8", "standard-8"} },
			want: want{check: checks.NameProvisioning, status: passed, contains: []string{
				"; no fallback to compute-8, which no VPSie node group of the cluster runs"}, excludes: []string{"standard-8,"}},
		},
		"an unknown mode": {
			edit: func(f *fixture) { f.group.Spec.Provisioning.Mode = "bare-metal" },
			want: want{check: checks.NameProvisioning, status: failed, contains: []string{
				`spec.provisioning.mode "bare-metal" is neither managed nor vm`}},
		},
		// The managed mode prices from the Kubernetes node sizes: a
		// datacenter that sells the plans but runs no managed clusters
		// sells none of them.
		"a datacenter without Managed Kubernetes": {
			edit: func(f *fixture) {
				f.cloud.NextError(cloudfake.OpListKubeOffers, cloud.NewError(cloud.ErrNotFound, "ListKubeOffers", "none here"))
			},
			want: want{check: checks.NameTargetOffering, status: failed, contains: []string{
				"offering compute-4 is not available in datacenter dc-nyc1 now"}},
		},
	})
}

func TestVMProvisioning(t *testing.T) {
	t.Parallel()
	runCases(t, map[string]testCase{
		"the template is named": {
			edit: vmMode,
			want: want{check: checks.NameProvisioning, status: passed, contains: []string{
				`new VMs boot with the user-data template of Secret shop/node-bootstrap, key "userData"`}},
		},
		"no Secret": {
			edit: func(f *fixture) { vmMode(f); f.secret = nil },
			want: want{check: checks.NameProvisioning, status: failed, contains: []string{
				"no Secret shop/node-bootstrap, which spec.provisioning.userData.secretName names"}},
		},
		"no such key": {
			edit: func(f *fixture) { vmMode(f); f.group.Spec.Provisioning.UserData.Key = "cloud-init" },
			want: want{check: checks.NameProvisioning, status: failed, contains: []string{
				`the user-data Secret shop/node-bootstrap has no key "cloud-init", or it is empty (spec.provisioning.userData.key)`}},
		},
		"a template that does not parse": {
			edit: func(f *fixture) { vmMode(f); f.secret.Data["userData"] = []byte("hostname: {{.Hostname") },
			want: want{check: checks.NameProvisioning, status: failed, contains: []string{
				`the user-data template in Secret shop/node-bootstrap, key "userData", does not parse`}},
		},
		"plans priced where no Managed Kubernetes runs": {
			edit: func(f *fixture) {
				vmMode(f)
				f.cloud.NextError(cloudfake.OpListKubeOffers, cloud.NewError(cloud.ErrNotFound, "ListKubeOffers", "none here"))
			},
			want: want{check: checks.NameTargetOffering, status: passed, contains: []string{"compute-4 (4 vCPU"}},
		},
	})
}

func TestOnlyAlternativesWithAGroupRemainInTheManagedMode(t *testing.T) {
	t.Parallel()
	f := valid()
	f.opp.AlternativeOfferings = []string{"compute-8", "standard-8"}
	require.Equal(t, []string{"standard-8"}, checks.AlternativesWithGroup(f.input(t)))

	vmMode(f)
	require.Equal(t, []string{"compute-8", "standard-8"}, checks.AlternativesWithGroup(f.input(t)),
		"a VM of any size can be ordered")
}

func TestProvisioningDefaults(t *testing.T) {
	t.Parallel()
	got := checks.ProvisioningDefaults(v1alpha1.Provisioning{UserData: &v1alpha1.UserDataTemplate{SecretName: "s"}})
	require.Equal(t, v1alpha1.ProvisioningManaged, got.Mode)
	require.Equal(t, "userData", got.UserData.Key)
}
