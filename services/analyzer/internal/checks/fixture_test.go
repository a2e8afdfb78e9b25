package checks_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/policy"
	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// now is Saturday 2026-01-31 14:00 UTC, a month after the test objects
// were created.
var now = testobj.Epoch.Add(30 * 24 * time.Hour).Add(14 * time.Hour)

// fixture is a cluster state that passes every check: group shop/web of
// three standard-8 nodes, a Deployment of three replicas spread over them
// under a PDB that allows one disruption, and an opportunity to move to
// compute-4 at half the price. Each test case changes one thing.
type fixture struct {
	group   *v1alpha1.NodeGroup
	nodes   []*corev1.Node
	objects []runtime.Object
	opp     *rebalancerv1.Opportunity
	cloud   *cloudfake.Provider
	noOffer bool // a safety check without an opportunity
	named   bool // the caller named the nodes
	loaded  bool // the catalogue was loaded
	age     time.Duration
	apiErr  error
	secret  *corev1.Secret // the vm mode's user-data Secret; nil: none
	now     time.Time
	limits  checks.Limits
}

func valid() *fixture {
	f := &fixture{
		group:  testobj.NodeGroup("shop", "web"),
		opp:    &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4", ClaimedMonthlySavingsCents: 7200},
		cloud:  cloudfake.New(),
		loaded: true,
		now:    now,
		limits: checks.DefaultLimits(5 * time.Minute),
	}
	if _, err := testobj.ManagedCluster(f.cloud, "standard-8", "compute-4"); err != nil {
		panic(err)
	}
	for _, name := range []string{"web-0", "web-1", "web-2"} {
		f.nodes = append(f.nodes, testobj.Node(name, "web", "standard-8"))
	}
	d, rs, pods := testobj.Deployment("shop", "api", 3, "web-0", "web-1", "web-2")
	f.objects = append(f.objects, d, rs, testobj.PDB("shop", "api", "api", 3, 1))
	for _, p := range pods {
		f.objects = append(f.objects, p)
	}
	return f
}

func (f *fixture) node(name string) *corev1.Node {
	for _, n := range f.nodes {
		if n.Name == name {
			return n
		}
	}
	panic("no node " + name)
}

func (f *fixture) input(t *testing.T) *checks.Input {
	t.Helper()
	objects := append([]runtime.Object{f.group}, f.objects...)
	for _, n := range f.nodes {
		objects = append(objects, n)
	}
	cache := state.Static(objects...)
	offering := f.opp.GetCurrentOffering()
	if f.noOffer {
		offering = ""
	}
	in := &checks.Input{
		Now:          f.now,
		Group:        f.group,
		Policy:       policy.FromSpec(f.group.Spec.Rebalancing),
		Members:      facts.Gather(cache, cache.GroupNodes(f.group.Name), offering),
		NamedNodes:   f.named,
		ClusterNodes: cache.Nodes(),
		APIServer:    f.apiErr,
		Limits:       f.limits,
	}
	if !f.noOffer {
		in.Provisioning = f.provisioning(t)
		in.Offer = checks.NewOffer(f.opp, f.group.Spec.Datacenter, in.Provisioning.Spec.Mode, f.snapshot(t), nil, f.now)
	}
	return in
}

// provisioning is what the analysis would read of the group's mode: the
// cluster's VPSie groups from the fake cloud, or the fixture's Secret.
func (f *fixture) provisioning(t *testing.T) *checks.Provisioning {
	t.Helper()
	p := &checks.Provisioning{Spec: checks.ProvisioningDefaults(f.group.Spec.Provisioning)}
	if p.Spec.Mode == v1alpha1.ProvisioningManaged {
		p.Groups, p.GroupsErr = f.cloud.ListKubeGroups(t.Context(), p.Spec.ClusterID)
	}
	if ref := p.Spec.UserData; ref != nil {
		p.UserData = checks.UserDataSecret{Namespace: f.group.Namespace, Name: ref.SecretName, Key: ref.Key}
		if f.secret != nil && f.secret.Name == ref.SecretName {
			p.UserData.Exists, p.UserData.Template = true, string(f.secret.Data[ref.Key])
		}
	}
	return p
}

func (f *fixture) snapshot(t *testing.T) *catalogue.Snapshot {
	t.Helper()
	if !f.loaded {
		return nil
	}
	c := catalogue.New(f.cloud, testingclock.NewFakeClock(f.now.Add(-f.age)), time.Minute)
	require.NoError(t, c.Refresh(t.Context()))
	snap, err := c.Snapshot()
	require.NoError(t, err)
	return snap
}

// find returns the result of the named check among all run.
func find(t *testing.T, results []checks.Result, name string) (checks.Result, bool) {
	t.Helper()
	for _, r := range results {
		if r.Check.GetName() == name {
			return r, true
		}
	}
	return checks.Result{}, false
}

// want is what a case expects of one check.
type want struct {
	check    string
	status   rebalancerv1.SafetyCheckStatus
	contains []string // substrings of the message
	excludes []string // substrings the message must not have
	wait     bool     // for FAILED: time may clear it
	blocked  string   // nodes named by node-scoped blockers, comma-separated
}

const (
	passed  = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED
	warning = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING
	failed  = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED
)

type testCase struct {
	edit func(f *fixture)
	want want
}

func runCases(t *testing.T, cases map[string]testCase) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := valid()
			if tc.edit != nil {
				tc.edit(f)
			}
			r, ok := find(t, checks.All(f.input(t)), tc.want.check)
			require.True(t, ok, "check %s did not run", tc.want.check)
			c := r.Check
			require.Equal(t, tc.want.status, c.GetStatus(), c.GetMessage())
			for _, s := range tc.want.contains {
				require.Contains(t, c.GetMessage(), s)
			}
			for _, s := range tc.want.excludes {
				require.NotContains(t, c.GetMessage(), s)
			}
			if c.GetStatus() == failed {
				require.Equal(t, tc.want.wait, r.Wait, "wait")
			}
			var blocked []string
			for _, b := range r.Blockers {
				blocked = append(blocked, b.Node)
			}
			require.Equal(t, tc.want.blocked, strings.Join(dedupe(blocked), ","))
		})
	}
}

func dedupe(names []string) []string {
	var out []string
	for _, n := range names {
		if len(out) == 0 || out[len(out)-1] != n {
			out = append(out, n)
		}
	}
	return out
}

// The valid fixture passes every check, so each case below fails because
// of the one thing it changes.
func TestTheValidFixturePassesEveryCheck(t *testing.T) {
	t.Parallel()
	results := checks.All(valid().input(t))
	require.Len(t, results, 25)
	seen := map[string]bool{}
	for _, r := range results {
		require.Equal(t, passed, r.Check.GetStatus(), "%s: %s", r.Check.GetName(), r.Check.GetMessage())
		require.NotEqual(t, rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_UNSPECIFIED, r.Check.GetCategory())
		require.NotEmpty(t, r.Check.GetMessage())
		require.False(t, seen[r.Check.GetName()], "%s runs twice", r.Check.GetName())
		seen[r.Check.GetName()] = true
	}
}

func TestWithoutAnOpportunityNoResourceCheckRuns(t *testing.T) {
	t.Parallel()
	f := valid()
	f.noOffer = true
	for _, r := range checks.All(f.input(t)) {
		require.NotEqual(t, rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_RESOURCE_AVAILABILITY, r.Check.GetCategory(), r.Check.GetName())
	}
}
