package e2e_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/service"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

const (
	simToken      = "e2e-token"
	serviceName   = "rebalancer.v1.AnalyzerService"
	healthServing = healthpb.HealthCheckResponse_SERVING
	// healthpbNotServing is what the service reports until it is ready.
	healthpbNotServing = healthpb.HealthCheckResponse_NOT_SERVING
)

// rig is one Analyzer serving over gRPC, on the package's sandbox and a
// VPSie simulator of its own (so faults stay within the test).
type rig struct {
	sb     *sandbox.Sandbox
	sim    *vpsiesim.Server
	clock  *testingclock.FakeClock
	srv    *server.Server
	client rebalancerv1.AnalyzerServiceClient
}

// limits are the defaults but for the cluster's unready share: tests in
// parallel add nodes that are not Ready for a moment, and the share is
// covered by unit tests.
var limits = checks.Limits{MaxUnreadyPercent: 100, ScaleUpCooldown: 10 * time.Minute, MaxCatalogueAge: 15 * time.Minute}

// startRig starts the Analyzer; before runs against the simulator first
// (to inject faults the first catalogue fetch should see). The clock
// starts an hour ahead, so the nodes tests create look an hour old and
// past the scale-up cooldown; nothing sleeps, the clock only moves when
// a test steps it.
func startRig(t *testing.T, before func(*vpsiesim.Sim)) *rig {
	t.Helper()
	return startRigWith(t, before, limits)
}

// startRigWith is startRig with other limits.
func startRigWith(t *testing.T, before func(*vpsiesim.Sim), limits checks.Limits) *rig {
	t.Helper()
	sim, err := vpsiesim.NewServer(vpsiesim.Options{Token: simToken})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	seedSandboxCluster(t, sim.Sim)
	if before != nil {
		before(sim.Sim)
	}
	// A few quick retries in real time: a catalogue load that fails once
	// on a starved machine would otherwise wait for its retry on the rig's
	// fake clock, which only the readiness test steps.
	cloud, err := vpsie.New(vpsie.Options{BaseURL: sim.URL, Token: simToken, OSIdentifier: "os-e2e",
		Retry: vpsie.RetryPolicy{MaxAttempts: 4, Initial: 50 * time.Millisecond, Max: 500 * time.Millisecond}})
	require.NoError(t, err)
	r := &rig{sb: sandboxtest.Shared(), sim: sim, clock: testingclock.NewFakeClock(time.Now().Add(time.Hour))}
	r.srv = servicetest.Serve(t, server.Config{Name: "analyzer"}, func(s *server.Server) error {
		return service.Setup(s, service.Deps{
			Kube: r.sb.Client, Groups: r.sb.Autoscaler, Cloud: cloud, Clock: r.clock,
			CatalogueRefresh: 5 * time.Minute, Limits: &limits,
		})
	})
	r.client = rebalancerv1.NewAnalyzerServiceClient(servicetest.Dial(t, r.srv.GRPCAddr()))
	return r
}

// seedSandboxCluster adds the managed cluster fixture groups belong to by
// default, in dc-nyc1, with a VPSie node group of every size the
// simulator sells, so any target has its group. Tests of a missing group
// put their NodeGroup in a cluster of their own.
func seedSandboxCluster(t *testing.T, sim *vpsiesim.Sim) {
	t.Helper()
	id := sim.AddKubeCluster(fixtures.SandboxCluster, catalog.NYC1)
	require.Equal(t, fixtures.SandboxClusterID(), id)
	for _, o := range catalog.Default().Offerings {
		_, err := sim.AddKubeGroup(id, "workers-"+o.Name, o.Name)
		require.NoError(t, err)
	}
}

// serving waits until the Analyzer reports SERVING: caches synced and a
// catalogue loaded.
func (r *rig) serving(t *testing.T) *rig {
	t.Helper()
	servicetest.WaitHealth(t, servicetest.Dial(t, r.srv.GRPCAddr()), serviceName, healthServing)
	return r
}

// patchNode applies a strategic merge patch to a node.
func patchNode(t *testing.T, sb *sandbox.Sandbox, name, patch string) {
	t.Helper()
	_, err := sb.Client.CoreV1().Nodes().Patch(t.Context(), name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
	require.NoError(t, err)
}
