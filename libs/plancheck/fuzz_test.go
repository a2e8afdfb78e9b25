package plancheck

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// planSeeds are the fixtures' valid plans, a few broken ones, a plan
// stored with a v1 ID and one sealed with a v2 ID, encoded as the Executor
// receives them.
func planSeeds(f *testing.F) {
	f.Helper()
	reviewed := rollingPlan()
	reviewed.AnalysisVerdict, reviewed.RequiresApproval = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW, true
	cycle := rollingPlan()
	cycle.Batches[0].DependsOn = []int32{int32(len(cycle.Batches))}
	stored, err := os.ReadFile(filepath.Join("testdata", "v1-blue-green.json"))
	require.NoError(f, err)
	v1 := &rebalancerv1.RebalancePlan{}
	require.NoError(f, protojson.Unmarshal(stored, v1))
	v2 := blueGreenPlan()
	v2.PlanId, err = PlanIDV2(v2)
	require.NoError(f, err)
	for _, p := range []*rebalancerv1.RebalancePlan{rollingPlan(), blueGreenPlan(), seal(reviewed), seal(cycle), {}, v1, v2} {
		b, err := proto.Marshal(p)
		require.NoError(f, err)
		f.Add(b)
	}
}

// planIDPattern is the shape of an ID of the current scheme (id.go).
var planIDPattern = regexp.MustCompile(`^plan-v3-[0-9a-f]{20}$`)

// FuzzCheck feeds any decodable plan to the plan rules: Check never
// panics, leaves the plan alone, answers the same twice, names a field of
// the plan in every violation, and passes a plan only when its plan_id is
// the ID of its content by the scheme the ID names.
func FuzzCheck(f *testing.F) {
	planSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var p rebalancerv1.RebalancePlan
		if proto.Unmarshal(b, &p) != nil {
			return
		}
		before := proto.CloneOf(&p)
		found := Check(&p)
		require.True(t, proto.Equal(before, &p), "Check changed the plan")
		require.Equal(t, found, Check(&p), "Check is deterministic")
		for _, v := range found {
			require.Regexp(t, `^plan(\.|\[|$)`, v.Field)
			require.NotEmpty(t, v.Description)
		}
		if len(found) > 0 {
			return
		}
		id, err := idOfScheme(&p)
		require.NoError(t, err)
		require.Equal(t, id, p.GetPlanId(), "a passing plan carries its content's ID by the scheme the ID names")
		require.LessOrEqual(t, len(p.GetBatches()), maxBatches)
		require.Empty(t, Check(proto.CloneOf(&p)), "a copy passes too")
	})
}

// FuzzPlanID: the ID of any plan is well formed, the same for a decoded
// copy, blind to plan_id, signature and signing_key_id, and changed by a
// change of content; the encodings v2 and v3 hash are the reflection
// walk's (idencode_test.go), unknown fields included; and a plan sealed by
// the v1 or the v2 scheme is still checked by it.
func FuzzPlanID(f *testing.F) {
	planSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var p rebalancerv1.RebalancePlan
		if proto.Unmarshal(b, &p) != nil {
			return
		}
		id, err := PlanID(&p)
		require.NoError(t, err)
		require.True(t, planIDPattern.MatchString(id), id)
		for _, rules := range []idRules{rulesV2, rulesV3} {
			require.Equal(t, reflectEncoding(t, rules, &p), handEncoding(t, rules, &p), "the hand-written encoding is the reflection walk's")
		}

		again, err := proto.MarshalOptions{Deterministic: true}.Marshal(&p)
		require.NoError(t, err)
		var copied rebalancerv1.RebalancePlan
		require.NoError(t, proto.Unmarshal(again, &copied))
		copied.PlanId, copied.Signature, copied.SigningKeyId = "plan-other", []byte{1, 2, 3}, "ed25519:0000000000000000"
		copiedID, err := PlanID(&copied)
		require.NoError(t, err)
		require.Equal(t, id, copiedID, "plan_id and the signature fields are not content")

		copied.TotalNodes++
		changed, err := PlanID(&copied)
		require.NoError(t, err)
		require.NotEqual(t, id, changed, "a change of content changes the ID")

		for name, scheme := range map[string]func(*rebalancerv1.RebalancePlan) (string, error){"v1": PlanIDV1, "v2": PlanIDV2} {
			old, err := scheme(&p)
			require.NoError(t, err)
			sealed := proto.CloneOf(&p)
			sealed.PlanId = old
			require.Equal(t, id, mustID(t, sealed), "the scheme an ID is made with is not content")
			recomputed, err := idOfScheme(sealed)
			require.NoError(t, err)
			require.Equal(t, old, recomputed, "a %s ID is checked by the %s scheme", name, name)
		}
	})
}

func mustID(t *testing.T, p *rebalancerv1.RebalancePlan) string {
	t.Helper()
	id, err := PlanID(p)
	require.NoError(t, err)
	return id
}
