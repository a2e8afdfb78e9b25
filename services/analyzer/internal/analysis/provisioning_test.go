package analysis_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8sfake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/analysis"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

const (
	reject  = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT
	proceed = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED
)

// withGroup is group() with the NodeGroup changed by edit.
func withGroup(edit func(*v1alpha1.NodeGroup)) []runtime.Object {
	objects := group()
	edit(objects[0].(*v1alpha1.NodeGroup))
	return objects
}

func provisioningCheck(t *testing.T, a *rebalancerv1.RebalanceAnalysis) *rebalancerv1.SafetyCheck {
	t.Helper()
	for _, c := range a.GetSafetyChecks() {
		if c.GetName() == checks.NameProvisioning {
			return c
		}
	}
	require.FailNow(t, "no provisioning check", "%v", a.GetSafetyChecks())
	return nil
}

func TestAManagedGroupNamesTheVPSieGroupOfTheTarget(t *testing.T) {
	t.Parallel()
	r := newRig(t, state.Static(group()...))
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)
	require.Equal(t, proceed, a.GetRecommendedAction(), a.GetSafetyChecks())

	groups, err := r.cloud.ListKubeGroups(t.Context(), testobj.ClusterID)
	require.NoError(t, err)
	require.True(t, proto.Equal(&rebalancerv1.Provisioning{
		Mode: rebalancerv1.ProvisioningMode_PROVISIONING_MODE_MANAGED, ClusterId: testobj.ClusterID,
		VpsieGroup: "compute-4", VpsieGroupId: groups[1].ID,
	}, a.GetProvisioning()), "%v", a.GetProvisioning())
}

func TestAManagedTargetWithoutAVPSieGroupIsRejected(t *testing.T) {
	t.Parallel()
	opp := opportunity()
	opp.TargetOffering = "compute-2"
	r := newRig(t, state.Static(group()...))
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opp)
	require.NoError(t, err)

	require.Equal(t, reject, a.GetRecommendedAction())
	c := provisioningCheck(t, a)
	require.Equal(t, rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED, c.GetStatus())
	require.Equal(t, "no VPSie node group of size compute-2 in cluster "+testobj.ClusterID+"; create one in the VPSie console",
		c.GetMessage())
	require.Equal(t, "compute-2", c.GetDetails()["missingGroupSize"])
	require.Equal(t, testobj.ClusterID, a.GetProvisioning().GetClusterId())
	require.Empty(t, a.GetProvisioning().GetVpsieGroup(), "no group to name")
}

func TestAManagedGroupFallsBackOnlyToSizesWithAVPSieGroup(t *testing.T) {
	t.Parallel()
	opp := opportunity()
	opp.AlternativeOfferings = []string{"compute-8", "standard-8"}
	r := newRig(t, state.Static(group()...))
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opp)
	require.NoError(t, err)

	require.Equal(t, []string{"standard-8"}, a.GetOpportunity().GetAlternativeOfferings())
	require.Contains(t, provisioningCheck(t, a).GetMessage(), "no fallback to compute-8")
	require.Equal(t, []string{"compute-8", "standard-8"}, opp.GetAlternativeOfferings(), "the caller's opportunity is left alone")
}

func TestAManagedGroupOfAnUnknownClusterIsRejected(t *testing.T) {
	t.Parallel()
	r := newRig(t, state.Static(withGroup(func(ng *v1alpha1.NodeGroup) { ng.Spec.Provisioning.ClusterID = "gone-1" })...))
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)
	require.Equal(t, reject, a.GetRecommendedAction())
	require.Equal(t, "no VPSie Managed Kubernetes cluster gone-1 (spec.provisioning.clusterID)", provisioningCheck(t, a).GetMessage())
}

func TestAVMGroupBootsFromItsUserDataSecret(t *testing.T) {
	t.Parallel()
	r := newRig(t, state.Static(withGroup(func(ng *v1alpha1.NodeGroup) { testobj.VMMode(ng) })...))
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)
	require.Equal(t, proceed, a.GetRecommendedAction(), a.GetSafetyChecks())
	require.True(t, proto.Equal(&rebalancerv1.Provisioning{Mode: rebalancerv1.ProvisioningMode_PROVISIONING_MODE_VM},
		a.GetProvisioning()), "%v", a.GetProvisioning())
	require.EqualValues(t, 4*2400, a.GetValidatedMonthlySavingsCents(), "priced from the plans")
}

func TestAVMGroupWhoseSecretCannotBeReadIsRejectedOrPostponed(t *testing.T) {
	t.Parallel()
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, testobj.UserDataSecretName, errors.New("no RBAC"))
	cases := map[string]struct {
		readErr error // nil: the Secret is absent
		action  rebalancerv1.RecommendedAction
		message string
	}{
		"an absent Secret": {action: reject,
			message: "no Secret shop/node-bootstrap, which spec.provisioning.userData.secretName names for the user data of new VMs"},
		"a Secret the Analyzer may not read": {readErr: forbidden, action: reject,
			message: "the Analyzer may not read the user-data Secret shop/node-bootstrap: grant its service account get on that Secret"},
		"an API server that failed": {readErr: apierrors.NewServiceUnavailable("etcd"),
			action:  rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE,
			message: "could not read the user-data Secret shop/node-bootstrap: etcd"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			kube := k8sfake.NewClientset()
			if tc.readErr != nil {
				kube.PrependReactor("get", "secrets", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, tc.readErr })
			}
			r := newRig(t, state.Static(withGroup(func(ng *v1alpha1.NodeGroup) { testobj.VMMode(ng) })...),
				func(o *analysis.Options) { o.Secrets = kube.CoreV1() })
			a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
			require.NoError(t, err)
			require.Equal(t, tc.action, a.GetRecommendedAction())
			require.Contains(t, provisioningCheck(t, a).GetMessage(), tc.message)
		})
	}
}
