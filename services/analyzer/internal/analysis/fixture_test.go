package analysis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	k8sfake "k8s.io/client-go/kubernetes/fake"
	testingclock "k8s.io/utils/clock/testing"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/analysis"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// now is Saturday 2026-01-31 14:00 UTC, a month after the objects' birth.
var now = testobj.Epoch.Add(30*24*time.Hour + 14*time.Hour)

// group returns shop/web: nodes web-0..web-3 of standard-8 and a
// Deployment "api" of 4 replicas, one pod per node, under a PDB allowing 1.
func group() []runtime.Object {
	objects := []runtime.Object{testobj.NodeGroup("shop", "web"), testobj.PDB("shop", "api", "api", 4, 1)}
	nodes := []string{"web-0", "web-1", "web-2", "web-3"}
	for _, n := range nodes {
		objects = append(objects, testobj.Node(n, "web", "standard-8"))
	}
	d, rs, pods := testobj.Deployment("shop", "api", 4, nodes...)
	objects = append(objects, d, rs)
	for _, p := range pods {
		objects = append(objects, p)
	}
	return objects
}

func opportunity() *rebalancerv1.Opportunity {
	return &rebalancerv1.Opportunity{Id: "opp-1", CurrentOffering: "standard-8", TargetOffering: "compute-4",
		ClaimedMonthlySavingsCents: 9600, Confidence: 0.9}
}

// rig is an Analyzer over a static state and the fake cloud: its
// catalogue, and managed cluster testobj.ClusterID with VPSie node groups
// of standard-8 and compute-4. Namespace shop holds the vm mode's Secret.
type rig struct {
	analyzer *analysis.Analyzer
	clock    *testingclock.FakeClock
	registry *prometheus.Registry
	cloud    *cloudfake.Provider
}

func newRig(t testing.TB, st analysis.State, edits ...func(*analysis.Options)) *rig {
	t.Helper()
	clk := testingclock.NewFakeClock(now)
	fake := cloudfake.New()
	_, err := testobj.ManagedCluster(fake, "standard-8", "compute-4")
	require.NoError(t, err)
	cat := catalogue.New(fake, clk, 5*time.Minute)
	require.NoError(t, cat.Refresh(t.Context()))
	reg := prometheus.NewRegistry()
	opts := analysis.Options{
		State: st, Catalogue: cat, Clock: clk, Registry: reg, Limits: checks.DefaultLimits(5 * time.Minute),
		KubeGroups: fake, Secrets: k8sfake.NewClientset(testobj.UserDataSecret("shop")).CoreV1(),
		APIServer: func(context.Context) error { return nil },
	}
	for _, edit := range edits {
		edit(&opts)
	}
	a, err := analysis.New(opts)
	require.NoError(t, err)
	return &rig{analyzer: a, clock: clk, registry: reg, cloud: fake}
}

// unsynced is a state whose caches have not filled yet.
type unsynced struct{ *state.Cache }

func (unsynced) Synced() bool { return false }

var errBoom = errors.New("boom")
