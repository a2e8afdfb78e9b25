package plancheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func TestPlanIDIsTheContentsWhateverIDThePlanCarries(t *testing.T) {
	t.Parallel()
	p := rollingPlan()
	require.Regexp(t, planIDPattern, p.GetPlanId())
	stale := p.GetPlanId()
	p.PlanId = "plan-whatever"
	id, err := PlanID(p)
	require.NoError(t, err)
	require.Equal(t, stale, id, "the plan_id field does not count")
	require.Equal(t, "plan-whatever", p.GetPlanId(), "PlanID leaves the plan alone")

	p.Batches[0].Nodes[0].VmIdentifier = "vm-other"
	changed, err := PlanID(p)
	require.NoError(t, err)
	require.NotEqual(t, stale, changed, "any edit changes the ID")
}

// TestPlanIDV2IsPinned pins the v2 scheme on a stored plan and on the
// empty one: stored plans carry v2 IDs, so the encoding may never change;
// a change is a new scheme under a new prefix (id.go).
func TestPlanIDV2IsPinned(t *testing.T) {
	t.Parallel()
	stored, err := PlanIDV2(v1Plan(t))
	require.NoError(t, err)
	require.Equal(t, "plan-v2-e4c9e1bf2f1a5ef319d6", stored)
	empty, err := PlanIDV2(&rebalancerv1.RebalancePlan{})
	require.NoError(t, err)
	require.Equal(t, "plan-v2-cb1607fa8c8ce8a9053f", empty)
}

// TestPlanIDV3IsPinned pins the v3 scheme as TestPlanIDV2IsPinned does v2.
func TestPlanIDV3IsPinned(t *testing.T) {
	t.Parallel()
	stored, err := PlanID(v1Plan(t))
	require.NoError(t, err)
	require.Equal(t, "plan-v3-afe31a60696167d21c3f", stored)
	empty, err := PlanID(&rebalancerv1.RebalancePlan{})
	require.NoError(t, err)
	require.Equal(t, "plan-v3-e2b2ed084ef3b8e3eaf8", empty)
}

// v1Plan is a blue-green plan the Planner made before the v2 scheme, with
// its v1 ID, as stored then.
func v1Plan(t *testing.T) *rebalancerv1.RebalancePlan {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "v1-blue-green.json"))
	require.NoError(t, err)
	p := &rebalancerv1.RebalancePlan{}
	require.NoError(t, protojson.Unmarshal(b, p))
	return p
}

// TestPlansOfTheV1SchemeStayValid: a plan whose ID was made the v1 way is
// checked the v1 way, so plans stored by an earlier Planner are still
// taken up; edited, it is refused as before.
func TestPlansOfTheV1SchemeStayValid(t *testing.T) {
	t.Parallel()
	stored := v1Plan(t)
	require.Equal(t, "plan-565a9cefec0aad14dd9e", stored.GetPlanId())
	require.Empty(t, Check(stored), "a stored v1 plan passes")
	v1, err := PlanIDV1(stored)
	require.NoError(t, err)
	require.Equal(t, stored.GetPlanId(), v1, "PlanIDV1 is the scheme the plan was made with")

	edited := proto.CloneOf(stored)
	edited.AnalysisId = "analysis-2"
	require.Equal(t, []string{"plan.plan_id"}, fields(Check(edited)), "an edit breaks a v1 ID as it does a v2 one")

	fixture := rollingPlan()
	fixture.PlanId = v1Of(t, fixture)
	require.Empty(t, Check(fixture), "any plan sealed the v1 way passes")
}

func v1Of(t *testing.T, p *rebalancerv1.RebalancePlan) string {
	t.Helper()
	id, err := PlanIDV1(p)
	require.NoError(t, err)
	return id
}

// TestPlansOfTheV2SchemeStayValid: a plan sealed the v2 way is checked
// the v2 way, as a v1 plan is the v1 way; edited, it is refused.
func TestPlansOfTheV2SchemeStayValid(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]*rebalancerv1.RebalancePlan{"stored": v1Plan(t), "rolling": rollingPlan(), "blue-green": blueGreenPlan()} {
		v2, err := PlanIDV2(p)
		require.NoError(t, err)
		p.PlanId = v2
		require.Empty(t, Check(p), "%s: a plan sealed the v2 way passes", name)
		p.AnalysisId = "analysis-2"
		require.Equal(t, []string{"plan.plan_id"}, fields(Check(p)), "%s: an edit breaks a v2 ID", name)
	}
}

// TestAPlanIDIsCheckedByTheSchemeItNames: an ID of no known shape is held
// to the current scheme, and no scheme's ID passes for another's.
func TestAPlanIDIsCheckedByTheSchemeItNames(t *testing.T) {
	t.Parallel()
	p := rollingPlan()
	v3 := p.GetPlanId()
	v2, err := PlanIDV2(p)
	require.NoError(t, err)
	v1 := v1Of(t, p)
	digits := func(id, prefix string) string { return id[len(prefix):] }
	for _, tc := range []struct{ id, says string }{
		{"plan-v4-" + digits(v3, idPrefixV3), v3},
		{"plan-" + digits(v3, idPrefixV3), v1},
		{"plan-v2-" + digits(v3, idPrefixV3), v2},
		{"plan-v3-" + digits(v2, idPrefixV2), v3},
		{"plan-v2-" + digits(v1, idPrefixV1), v2},
		{"plan-whatever", v3},
		{v1 + "0", v3},
		{v2 + "0", v3},
		{"plan-v2-" + strings.ToUpper(digits(v2, idPrefixV2)), v3},
	} {
		p.PlanId = tc.id
		found := Check(p)
		require.Equal(t, []string{"plan.plan_id"}, fields(found), tc.id)
		require.Contains(t, found[0].Description, tc.says, tc.id)
	}
}

func TestMinHealthyNodesRoundsUp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ percent, size, want int32 }{
		{75, 4, 3}, {75, 5, 4}, {100, 7, 7}, {0, 9, 0}, {1, 1, 1}, {50, 3, 2}, {99, 100, 99},
	} {
		require.Equal(t, tc.want, MinHealthyNodes(tc.percent, tc.size), "%d%% of %d", tc.percent, tc.size)
	}
}

// fields are the fields of found, in order.
func fields(found []Violation) []string {
	out := make([]string, len(found))
	for i, v := range found {
		out[i] = v.Field
	}
	return out
}
