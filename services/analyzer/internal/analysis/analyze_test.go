package analysis_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/policy"
	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/analysis"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

func TestAnalyzeAHealthyGroupProceeds(t *testing.T) {
	t.Parallel()
	r := newRig(t, state.Static(group()...))
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)

	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED, a.GetRecommendedAction(), a.GetSafetyChecks())
	require.EqualValues(t, 4, a.GetTotalNodes())
	require.Len(t, a.GetCandidateNodes(), 4)
	require.Empty(t, a.GetExcludedNodes())
	require.EqualValues(t, 4*2400, a.GetValidatedMonthlySavingsCents(), "4 × ($48 − $24)")
	require.Equal(t, rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_HIGH, a.GetPriority(), "50% of the cost")
	require.Equal(t, "dc-nyc1", a.GetDatacenter())
	require.EqualValues(t, 3, a.GetNodeGroupGeneration())
	require.True(t, now.Equal(a.GetAnalyzedAt().AsTime()))
	require.True(t, proto.Equal(policy.FromSpec(v1alpha1.RebalancingPolicy{}), a.GetPolicy()))
	require.True(t, proto.Equal(opportunity(), a.GetOpportunity()))
	require.Equal(t, 2*(10*time.Minute+5*time.Minute+time.Minute), a.GetEstimatedDuration().AsDuration(),
		"2 rolling batches of two nodes (batch size unset: max concurrent): provision, drain and terminate each")
	require.Regexp(t, `^analysis-[0-9a-f]{20}$`, a.GetAnalysisId())

	first := a.GetCandidateNodes()[0]
	require.Equal(t, "web-0", first.GetNodeName(), "equal scores: by name")
	require.Equal(t, "vm-web-0", first.GetVmIdentifier())
	require.Equal(t, "standard-8", first.GetCurrentOffering())
	require.Equal(t, "compute-4", first.GetTargetOffering())
	require.EqualValues(t, 4800, first.GetCurrentMonthlyPriceCents())
	require.EqualValues(t, 2400, first.GetTargetMonthlyPriceCents())
	require.Equal(t, 30*24*time.Hour+14*time.Hour, first.GetAge().AsDuration())
	require.True(t, first.GetSafeToRebalance())
	require.Contains(t, first.GetReason(), "saves $24.00/month")
	require.Len(t, first.GetWorkloads(), 1)
	require.Equal(t, "Deployment", first.GetWorkloads()[0].GetOwnerKind())
	require.Equal(t, []string{"api"}, first.GetWorkloads()[0].GetPdbNames())
}

func TestTheAnalysisIDDependsOnContentOnly(t *testing.T) {
	t.Parallel()
	r := newRig(t, state.Static(group()...))
	a1, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)
	a2, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)
	require.Equal(t, a1.GetAnalysisId(), a2.GetAnalysisId(), "same state, same clock")
	require.True(t, proto.Equal(a1, a2))

	r.clock.Step(time.Second)
	a3, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)
	require.NotEqual(t, a1.GetAnalysisId(), a3.GetAnalysisId(), "analyzed_at is content")
}

func nodeIn(objects []runtime.Object, name string) *corev1.Node {
	for _, o := range objects {
		if n, ok := o.(*corev1.Node); ok && n.Name == name {
			return n
		}
	}
	panic("no node " + name)
}

// The score weighs savings by age against the pods to move (see score.go):
// web-0 and web-3 are a month old with one pod each, 2400 × 2 / (1 + 1);
// web-2 is a day old, 2400 × (1 + 1/30) / 2; web-1 also runs a pod of
// priority 10^9, whose cost is capped at 10, 2400 × 2 / (1 + 1 + 10).
func TestCandidatesAreOrderedByScore(t *testing.T) {
	t.Parallel()
	objects := group()
	nodeIn(objects, "web-2").CreationTimestamp.Time = now.Add(-24 * time.Hour)
	critical := testobj.OwnedBy(testobj.Pod("shop", "critical", "web-1"), "StatefulSet", "critical")
	critical.Spec.Priority = ptr.To[int32](1_000_000_000)
	r := newRig(t, state.Static(append(objects, critical)...))
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)

	var order []string
	var scores []float64
	for _, c := range a.GetCandidateNodes() {
		order = append(order, c.GetNodeName())
		scores = append(scores, c.GetPriorityScore())
	}
	require.Equal(t, []string{"web-0", "web-3", "web-2", "web-1"}, order)
	require.Equal(t, []float64{2400, 2400, 1240, 400}, scores)
}

func TestExclusionsAndBlockersAreNamed(t *testing.T) {
	t.Parallel()
	objects := group()
	cordoned := testobj.Node("web-4", "web", "standard-8")
	cordoned.Spec.Unschedulable = true
	optedOut := testobj.Node("web-5", "web", "standard-8")
	optedOut.Annotations = map[string]string{v1alpha1.AnnotationDoNotDisrupt: "true"}
	bare := testobj.Pod("shop", "bare", "web-3")
	objects = append(objects, cordoned, optedOut, bare)
	// Four candidates of six nodes keep a floor of 50%, not the default 75%.
	objects[0].(*v1alpha1.NodeGroup).Spec.Rebalancing.MinHealthyPercent = ptr.To[int32](50)
	r := newRig(t, state.Static(objects...))
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)

	require.EqualValues(t, 6, a.GetTotalNodes())
	var excluded []string
	for _, e := range a.GetExcludedNodes() {
		excluded = append(excluded, e.GetNodeName()+": "+e.GetReason())
	}
	require.Equal(t, []string{"web-4: cordoned", "web-5: opted out by annotation autoscaler.vpsie.io/do-not-disrupt=true"}, excluded)
	last := a.GetCandidateNodes()[3]
	require.Equal(t, "web-3", last.GetNodeName(), "two pods to move: the lowest score")
	require.False(t, last.GetSafeToRebalance())
	require.Contains(t, last.GetReason(), "pod shop/bare on web-3 has no controller")
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW, a.GetRecommendedAction(),
		"three candidates are safe, one is not")
}

func TestAnalyzeErrors(t *testing.T) {
	t.Parallel()
	disabled := testobj.NodeGroup("shop", "off")
	disabled.Spec.Rebalancing.Enabled = new(bool)
	cases := map[string]struct {
		state analysis.State
		group string
		is    func(error) bool
		msg   string
	}{
		"an unknown group": {state.Static(group()...), "nope", analysis.IsNotFound, "node group shop/nope not found"},
		"a disabled group": {state.Static(append(group(), disabled)...), "off", analysis.IsDisabled,
			"rebalancing is disabled for node group shop/off"},
		"caches not synced": {unsynced{state.Static(group()...)}, "web", analysis.IsNotSynced, "not synced"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, tc.state)
			_, err := r.analyzer.Analyze(t.Context(), "shop", tc.group, opportunity())
			require.True(t, tc.is(err), "%v", err)
			require.Contains(t, err.Error(), tc.msg)
			_, err = r.analyzer.ValidateSafety(t.Context(), "shop", tc.group, nil)
			require.True(t, tc.is(err), "%v", err)
		})
	}
}

// The analysis names the group by its UID as well, and carries the
// offerings the group allows a plan to fall back to, for the Planner and
// the Executor to hold plans to.
func TestTheAnalysisCarriesTheGroupsUIDAndFallbackOfferings(t *testing.T) {
	t.Parallel()
	objects := group()
	ng := objects[0].(*v1alpha1.NodeGroup)
	ng.UID = "6f1c2d3e-0000-4000-8000-00000000abcd"
	ng.Spec.Rebalancing.AlternativeOfferings = []string{"compute-6"}
	r := newRig(t, state.Static(objects...))
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)
	require.Equal(t, "6f1c2d3e-0000-4000-8000-00000000abcd", a.GetNodeGroupUid())
	require.Equal(t, []string{"compute-6"}, a.GetPolicy().GetAlternativeOfferings())
}
