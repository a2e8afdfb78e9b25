package e2e_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

const pollEvery = 20 * time.Millisecond

// While VPSie refuses the catalogue, the Analyzer is NOT_SERVING and an
// analysis (once its caches are synced) postpones for want of prices.
// When VPSie answers again, the retry (on the Analyzer's clock, stepped
// here) loads the catalogue and the service turns SERVING.
func TestTheServiceServesOnceTheCataloguesAreLoaded(t *testing.T) {
	t.Parallel()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	ng, _ := fixtures.CreateGroup(t, sb, fixtures.Group{Namespace: ns, Offering: fixtures.Standard8, Nodes: 1, Datacenter: catalog.NYC1})
	r := startRig(t, func(sim *vpsiesim.Sim) {
		require.NoError(t, sim.SetEndpointFaults(vpsiesim.EndpointDatacenters, vpsiesim.EndpointFaults{ErrorRate: 1, Statuses: []int{503}}))
	})
	conn := servicetest.Dial(t, r.srv.GRPCAddr())
	servicetest.WaitHealth(t, conn, serviceName, healthpbNotServing)

	req := &rebalancerv1.AnalyzeRebalanceRequest{Namespace: ns, NodeGroup: ng.Name,
		Opportunity: &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4"}}
	var resp *rebalancerv1.AnalyzeRebalanceResponse
	var err error
	require.Eventually(t, func() bool { // Unavailable only while the informer caches sync
		resp, err = r.client.AnalyzeRebalance(t.Context(), req)
		return status.Code(err) != codes.Unavailable
	}, fixtures.Timeout, pollEvery)
	require.NoError(t, err)
	c := checkNamed(t, resp.GetAnalysis(), checks.NameCatalogue)
	require.Contains(t, c.GetMessage(), "no VPSie catalogue loaded yet")
	require.Equal(t, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE, resp.GetAnalysis().GetRecommendedAction())
	readyz, err := http.Get("http://" + r.srv.MetricsAddr() + "/readyz")
	require.NoError(t, err)
	require.NoError(t, readyz.Body.Close())
	require.Equal(t, http.StatusServiceUnavailable, readyz.StatusCode)

	r.sim.ResetFaults()
	require.Eventually(t, r.clock.HasWaiters, fixtures.Timeout, pollEvery, "the refresh waits for its retry")
	r.clock.Step(time.Second)
	servicetest.WaitHealth(t, conn, serviceName, healthServing)
	resp, err = r.client.AnalyzeRebalance(t.Context(), req)
	require.NoError(t, err)
	require.Equal(t, rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED, checkNamed(t, resp.GetAnalysis(), checks.NameCatalogue).GetStatus())
}
