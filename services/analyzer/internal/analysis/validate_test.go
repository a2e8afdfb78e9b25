package analysis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	policyv1 "k8s.io/api/policy/v1"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/vpsie/node-rebalancer/testbed/cloudfake"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/analysis"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

func TestValidateSafety(t *testing.T) {
	t.Parallel()
	r := newRig(t, state.Static(group()...))
	resp, err := r.analyzer.ValidateSafety(t.Context(), "shop", "web", []string{"web-1", "web-0"})
	require.NoError(t, err)
	require.True(t, resp.GetSafe())
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED, resp.GetRecommendedAction())
	for _, c := range resp.GetChecks() {
		require.NotEqual(t, rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_RESOURCE_AVAILABILITY, c.GetCategory(),
			"no opportunity, no resource checks")
	}

	_, err = r.analyzer.ValidateSafety(t.Context(), "shop", "web", []string{"web-0", "db-7"})
	require.True(t, analysis.IsNotFound(err))
	require.EqualError(t, err, "node db-7 is not a member of node group shop/web")
}

func TestValidateSafetyOfABlockedNodeIsNotSafe(t *testing.T) {
	t.Parallel()
	objects := group()
	objects[1].(*policyv1.PodDisruptionBudget).Status.DisruptionsAllowed = 0
	r := newRig(t, state.Static(objects...))
	resp, err := r.analyzer.ValidateSafety(t.Context(), "shop", "web", []string{"web-2"})
	require.NoError(t, err)
	require.False(t, resp.GetSafe())
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE, resp.GetRecommendedAction(),
		"the budget may allow a disruption later")
}

func TestAnAPIServerThatIsNotReadyPostpones(t *testing.T) {
	t.Parallel()
	r := newRig(t, state.Static(group()...), func(o *analysis.Options) {
		o.APIServer = func(context.Context) error { return errBoom }
	})
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE, a.GetRecommendedAction())
	require.Equal(t, "the API server is not ready: boom", a.GetSafetyChecks()[1].GetMessage())
}

func TestACatalogueNotLoadedPostponesWithoutPrices(t *testing.T) {
	t.Parallel()
	r := newRig(t, state.Static(group()...), func(o *analysis.Options) {
		o.Catalogue = catalogue.New(cloudfake.New(), testingclock.NewFakeClock(now), time.Minute)
	})
	a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE, a.GetRecommendedAction())
	require.Zero(t, a.GetValidatedMonthlySavingsCents())
	require.Equal(t, rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_UNSPECIFIED, a.GetPriority())
	require.Contains(t, a.GetCandidateNodes()[0].GetReason(), "not priced")
}

func TestNewRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	_, err := analysis.New(analysis.Options{})
	require.Error(t, err)
}

// TestSafetyCheckMetricsCountByGroupAndCategory analyses two groups, so a
// count landing in the other group's series would show.
func TestSafetyCheckMetricsCountByGroupAndCategory(t *testing.T) {
	t.Parallel()
	objects := group()
	objects[1].(*policyv1.PodDisruptionBudget).Status.DisruptionsAllowed = 0
	// shop/db has no member, so only its node group health checks fail.
	objects = append(objects, testobj.NodeGroup("shop", "db"))
	r := newRig(t, state.Static(objects...))
	_, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
	require.NoError(t, err)
	_, err = r.analyzer.ValidateSafety(t.Context(), "shop", "db", nil)
	require.NoError(t, err)
	err = testutil.GatherAndCompare(r.registry, strings.NewReader(`
# HELP vpsie_rebalancing_safety_checks_failed_total Safety checks that failed, by group and category.
# TYPE vpsie_rebalancing_safety_checks_failed_total counter
vpsie_rebalancing_safety_checks_failed_total{category="cluster_health",namespace="shop",node_group="db"} 0
vpsie_rebalancing_safety_checks_failed_total{category="cluster_health",namespace="shop",node_group="web"} 0
vpsie_rebalancing_safety_checks_failed_total{category="node_group_health",namespace="shop",node_group="db"} 2
vpsie_rebalancing_safety_checks_failed_total{category="node_group_health",namespace="shop",node_group="web"} 0
vpsie_rebalancing_safety_checks_failed_total{category="pod_disruption_budgets",namespace="shop",node_group="db"} 0
vpsie_rebalancing_safety_checks_failed_total{category="pod_disruption_budgets",namespace="shop",node_group="web"} 1
vpsie_rebalancing_safety_checks_failed_total{category="resource_availability",namespace="shop",node_group="db"} 0
vpsie_rebalancing_safety_checks_failed_total{category="resource_availability",namespace="shop",node_group="web"} 0
vpsie_rebalancing_safety_checks_failed_total{category="timing",namespace="shop",node_group="db"} 0
vpsie_rebalancing_safety_checks_failed_total{category="timing",namespace="shop",node_group="web"} 0
# HELP vpsie_rebalancing_safety_checks_passed_total Safety checks that passed or only warned, by group and category.
# TYPE vpsie_rebalancing_safety_checks_passed_total counter
vpsie_rebalancing_safety_checks_passed_total{category="cluster_health",namespace="shop",node_group="db"} 2
vpsie_rebalancing_safety_checks_passed_total{category="cluster_health",namespace="shop",node_group="web"} 2
vpsie_rebalancing_safety_checks_passed_total{category="node_group_health",namespace="shop",node_group="db"} 4
vpsie_rebalancing_safety_checks_passed_total{category="node_group_health",namespace="shop",node_group="web"} 6
vpsie_rebalancing_safety_checks_passed_total{category="pod_disruption_budgets",namespace="shop",node_group="db"} 7
vpsie_rebalancing_safety_checks_passed_total{category="pod_disruption_budgets",namespace="shop",node_group="web"} 6
vpsie_rebalancing_safety_checks_passed_total{category="resource_availability",namespace="shop",node_group="db"} 0
vpsie_rebalancing_safety_checks_passed_total{category="resource_availability",namespace="shop",node_group="web"} 7
vpsie_rebalancing_safety_checks_passed_total{category="timing",namespace="shop",node_group="db"} 3
vpsie_rebalancing_safety_checks_passed_total{category="timing",namespace="shop",node_group="web"} 3
`), "vpsie_rebalancing_safety_checks_passed_total", "vpsie_rebalancing_safety_checks_failed_total")
	require.NoError(t, err)
}
