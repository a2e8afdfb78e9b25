package e2e_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// slotLabel pins test pods to one node of a group; the node's replacement
// carries the label too, so pinned pods still fit after the move.
const slotLabel = "e2e.vpsie.io/slot"

func pin(spec *corev1.PodSpec, slot int) {
	spec.NodeSelector[slotLabel] = fmt.Sprint(slot)
}

func checkNamed(t *testing.T, a *rebalancerv1.RebalanceAnalysis, name string) *rebalancerv1.SafetyCheck {
	t.Helper()
	for _, c := range a.GetSafetyChecks() {
		if c.GetName() == name {
			return c
		}
	}
	require.Failf(t, "missing check", "no check %s in %v", name, a.GetSafetyChecks())
	return nil
}

// A group of four kwok nodes running the realistic mix: one node cordoned,
// one opted out, a PDB that allows no disruption on the third, and a bare
// pod, an emptyDir pod and an opted-out pod on the fourth.
func TestAnalyzeARealisticGroupOverGRPC(t *testing.T) {
	t.Parallel()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	ng, nodes := fixtures.CreateGroup(t, sb, fixtures.Group{Namespace: ns, Offering: fixtures.Standard8, Nodes: 4,
		Datacenter: catalog.NYC1, Rebalancing: v1alpha1.RebalancingPolicy{MinHealthyPercent: ptr.To[int32](50)}})
	for i, n := range nodes {
		patchNode(t, sb, n.Name, fmt.Sprintf(`{"metadata":{"labels":{%q:"%d"}}}`, slotLabel, i))
	}
	patchNode(t, sb, nodes[2].Name, fmt.Sprintf(`{"metadata":{"annotations":{%q:"true"}}}`, v1alpha1.AnnotationDoNotDisrupt))
	patchNode(t, sb, nodes[3].Name, `{"spec":{"unschedulable":true}}`)

	w := fixtures.Realistic(ns, ng.Name)
	for _, p := range w.Pods { // bare, cache and pinned
		pin(&p.Spec, 1)
	}
	critical := fixtures.Deployment(ns, "critical", ng.Name, 2)
	pin(&critical.Spec.Template.Spec, 0)
	w.Deployments = append(w.Deployments, critical)
	w.PDBs = append(w.PDBs, fixtures.PDBMinAvailable(ns, "critical", 2))
	w.Create(t, sb)
	w.WaitRunning(t, sb, len(nodes))

	r := startRig(t, nil).serving(t)
	opp := &rebalancerv1.Opportunity{Id: "opp-7", CurrentOffering: "standard-8", TargetOffering: "compute-4",
		ClaimedMonthlySavingsCents: 14400}
	resp, err := r.client.AnalyzeRebalance(t.Context(), &rebalancerv1.AnalyzeRebalanceRequest{
		Namespace: ns, NodeGroup: ng.Name, Opportunity: opp})
	require.NoError(t, err)
	a := resp.GetAnalysis()

	require.EqualValues(t, 4, a.GetTotalNodes())
	var excluded []string
	for _, e := range a.GetExcludedNodes() {
		excluded = append(excluded, e.GetNodeName()+": "+e.GetReason())
	}
	require.Equal(t, []string{
		nodes[2].Name + ": opted out by annotation autoscaler.vpsie.io/do-not-disrupt=true",
		nodes[3].Name + ": cordoned",
	}, excluded)
	require.Len(t, a.GetCandidateNodes(), 2)
	byName := map[string]*rebalancerv1.CandidateNode{}
	for _, c := range a.GetCandidateNodes() {
		byName[c.GetNodeName()] = c
		require.False(t, c.GetSafeToRebalance(), c.GetReason())
		require.EqualValues(t, 4800, c.GetCurrentMonthlyPriceCents())
		require.EqualValues(t, 2400, c.GetTargetMonthlyPriceCents())
		vm, _ := v1alpha1.VMIdentifier(nodes[0].Spec.ProviderID)
		require.Len(t, c.GetVmIdentifier(), len(vm))
		for _, wl := range c.GetWorkloads() {
			require.NotEqual(t, "DaemonSet", wl.GetOwnerKind(), "DaemonSet pods stay with their node")
			require.False(t, strings.HasPrefix(wl.GetPodName(), "node-agent"), wl.GetPodName())
		}
	}
	require.Contains(t, byName[nodes[0].Name].GetReason(), "PDB "+ns+"/critical allows 0 disruptions")
	n1 := byName[nodes[1].Name].GetReason()
	require.Contains(t, n1, "pod "+ns+"/bare on "+nodes[1].Name+" has no controller")
	require.Contains(t, n1, "pod "+ns+"/pinned on "+nodes[1].Name+" opts out of disruption")
	require.Contains(t, n1, `emptyDir "scratch"`)

	pdb := checkNamed(t, a, checks.NameDisruptionsAllowed)
	require.Equal(t, rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED, pdb.GetStatus())
	require.Contains(t, pdb.GetMessage(), "PDB "+ns+"/critical allows 0 disruptions (2 healthy, 2 desired, 2 expected)")
	require.Equal(t, nodes[0].Name, pdb.GetDetails()["nodes"])
	require.Equal(t, rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED, checkNamed(t, a, checks.NameFullyBlocking).GetStatus())

	savings := checkNamed(t, a, checks.NameSavings)
	require.Equal(t, rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING, savings.GetStatus())
	require.Contains(t, savings.GetMessage(), "the optimizer claimed $144.00/month, catalogue prices give $48.00/month over 2 nodes")
	require.EqualValues(t, 2*2400, a.GetValidatedMonthlySavingsCents())
	require.Equal(t, rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING, checkNamed(t, a, checks.NameDraining).GetStatus())

	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT, a.GetRecommendedAction(),
		"no candidate is safe, and waiting will not change that")
	require.Equal(t, catalog.NYC1, a.GetDatacenter())
	require.Equal(t, ng.Generation, a.GetNodeGroupGeneration())
	require.EqualValues(t, 50, a.GetPolicy().GetMinHealthyPercent())
	require.True(t, r.clock.Now().Equal(a.GetAnalyzedAt().AsTime()))
	require.Regexp(t, `^analysis-[0-9a-f]{20}$`, a.GetAnalysisId())

	metrics := get(t, "http://"+r.srv.MetricsAddr()+"/metrics")
	// The exposition sorts labels by name: category, namespace, node_group.
	require.Contains(t, metrics, fmt.Sprintf(
		`vpsie_rebalancing_safety_checks_failed_total{category="pod_disruption_budgets",namespace=%q,node_group=%q} 5`, ns, ng.Name))
	require.Contains(t, metrics, fmt.Sprintf(
		`vpsie_rebalancing_safety_checks_passed_total{category="timing",namespace=%q,node_group=%q} 3`, ns, ng.Name))
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer func() { require.NoError(t, resp.Body.Close()) }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}
