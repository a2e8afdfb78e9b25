package e2e_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// group creates a group of n standard-8 nodes in dc-nyc1 running w, and
// waits until w runs and its budgets are settled.
func group(t *testing.T, n int, w func(ns, group string) fixtures.Workloads) (string, string, []string) {
	t.Helper()
	return groupWith(t, n, v1alpha1.RebalancingPolicy{}, w)
}

// groupWith is group with a rebalancing policy.
func groupWith(t *testing.T, n int, p v1alpha1.RebalancingPolicy, w func(ns, group string) fixtures.Workloads) (string, string, []string) {
	t.Helper()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	ng, nodes := fixtures.CreateGroup(t, sb, fixtures.Group{Namespace: ns, Offering: fixtures.Standard8, Nodes: n,
		Datacenter: catalog.NYC1, Rebalancing: p})
	workloads := w(ns, ng.Name)
	workloads.Create(t, sb)
	workloads.WaitRunning(t, sb, n)
	names := make([]string, len(nodes))
	for i, node := range nodes {
		names[i] = node.Name
	}
	return ns, ng.Name, names
}

func analyze(t *testing.T, r *rig, ns, group, target string, alternatives ...string) *rebalancerv1.RebalanceAnalysis {
	t.Helper()
	resp, err := r.client.AnalyzeRebalance(t.Context(), &rebalancerv1.AnalyzeRebalanceRequest{
		Namespace: ns, NodeGroup: group, Opportunity: &rebalancerv1.Opportunity{
			CurrentOffering: "standard-8", TargetOffering: target, AlternativeOfferings: alternatives}})
	require.NoError(t, err)
	return resp.GetAnalysis()
}

// A Deployment spread under a PDB that allows one disruption, a
// Deployment of one replica whose rollout surges, and a DaemonSet whose
// pods mount a hostPath: every node is safe, the single replica is no
// warning as a surging rollout moves it, the verdict is to proceed, and
// the named nodes validate as safe.
func TestAHealthyGroupProceeds(t *testing.T) {
	t.Parallel()
	ns, name, nodes := group(t, 3, func(ns, group string) fixtures.Workloads {
		agent := fixtures.DaemonSet(ns, "node-agent", group)
		agent.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "logs",
			VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
		return fixtures.Workloads{
			Deployments: []*appsv1.Deployment{fixtures.Deployment(ns, "web", group, 3), fixtures.Deployment(ns, "solo", group, 1)},
			PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMaxUnavailable(ns, "web", 1)},
			DaemonSets:  []*appsv1.DaemonSet{agent},
		}
	})
	r := startRig(t, nil).serving(t)
	a := analyze(t, r, ns, name, "compute-4")

	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED, a.GetRecommendedAction(), a.GetSafetyChecks())
	solo := checkNamed(t, a, checks.NameSingleReplica)
	require.Equal(t, rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED, solo.GetStatus())
	require.Contains(t, solo.GetMessage(), "Deployment "+ns+"/solo runs 1 replica")
	require.Contains(t, solo.GetMessage(), "moves by a surging rollout")
	require.Len(t, a.GetCandidateNodes(), 3)
	for _, c := range a.GetCandidateNodes() {
		require.True(t, c.GetSafeToRebalance(), c.GetReason())
	}
	require.EqualValues(t, 3*2400, a.GetValidatedMonthlySavingsCents(), "3 × ($48.00 − $24.00), from the simulator's catalogue")
	require.Equal(t, rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_HIGH, a.GetPriority())

	v, err := r.client.ValidateRebalanceSafety(t.Context(), &rebalancerv1.ValidateRebalanceSafetyRequest{
		Namespace: ns, NodeGroup: name, NodeNames: nodes[:2]})
	require.NoError(t, err)
	require.True(t, v.GetSafe(), v.GetChecks())
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED, v.GetRecommendedAction())
}

// Pods requesting 3 CPUs run on 4-CPU standard-8 nodes, but would fit on
// no 2-CPU standard-2 node: the fit check names them as larger than the
// target offering and the opportunity is rejected.
func TestAPodThatFitsNowhereIsNamed(t *testing.T) {
	t.Parallel()
	ns, name, _ := group(t, 2, func(ns, group string) fixtures.Workloads {
		big := fixtures.Deployment(ns, "big", group, 2)
		big.Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("3")
		return fixtures.Workloads{Deployments: []*appsv1.Deployment{big}}
	})
	r := startRig(t, nil).serving(t)
	a := analyze(t, r, ns, name, "standard-2")

	fit := checkNamed(t, a, checks.NameFit)
	require.Equal(t, rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED, fit.GetStatus())
	require.Contains(t, fit.GetMessage(), "pod "+ns+"/big-")
	require.Contains(t, fit.GetMessage(), "the largest pod must fit the target offering")
	require.Contains(t, fit.GetMessage(), "(3000m CPU, 128Mi memory) is larger than a standard-2 node's allocatable (2000m CPU")
	require.Equal(t, "2", fit.GetDetails()["count"])
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT, a.GetRecommendedAction())
	require.EqualValues(t, 2*3600, a.GetValidatedMonthlySavingsCents(), "the savings are real; the fit is not")
}

// The simulator stops selling compute-4 in dc-nyc1: the target check
// fails, names the alternative that is sold, and the verdict is reject.
func TestAnUnavailableTargetOfferingIsRejected(t *testing.T) {
	t.Parallel()
	ns, name, _ := group(t, 2, func(ns, group string) fixtures.Workloads {
		return fixtures.Workloads{Deployments: []*appsv1.Deployment{fixtures.Deployment(ns, "web", group, 2)}}
	})
	r := startRig(t, func(sim *vpsiesim.Sim) {
		require.NoError(t, sim.MakeUnavailable(catalog.NYC1, "compute-4"))
	}).serving(t)
	a := analyze(t, r, ns, name, "compute-4", "compute-8")

	target := checkNamed(t, a, checks.NameTargetOffering)
	require.Equal(t, rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED, target.GetStatus())
	require.Equal(t, "offering compute-4 is not available in datacenter dc-nyc1 now; available alternatives: compute-8", target.GetMessage())
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT, a.GetRecommendedAction())
}
