package planner

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/plans.golden from the current planner")

// goldenSeeds is how many seeded analyses the golden file pins, beside the
// benchmark's plans at goldenLargeGroup candidates.
const (
	goldenSeeds      = 40
	goldenLargeGroup = 10_000
)

// TestPlansMatchTheGoldenFile pins CreatePlan's output, through its
// content-derived plan ID, or its refusal, on seeded analyses and on the
// benchmark's groups: a change made for speed must leave every plan byte
// for byte as it was. Each plan is pinned by its ID and by the hashes of
// its content under the v2 and v1 ID schemes, which the Executor still
// checks stored plans with, so no scheme drifts. Regenerate with -update
// only when a change of output is meant.
func TestPlansMatchTheGoldenFile(t *testing.T) {
	t.Parallel()
	var got strings.Builder
	for seed := range uint64(goldenSeeds) {
		a, o := seededAnalysis(seed)
		fmt.Fprintf(&got, "seed %d, %s, canary %t: %s\n", seed, StrategyName(a.GetPolicy().GetStrategy()), o.GetCanary(), outcome(a, o))
	}
	for _, s := range benchStrategies {
		fmt.Fprintf(&got, "%d candidates, %s: %s\n", goldenLargeGroup, StrategyName(s), outcome(benchAnalysis(s, goldenLargeGroup)))
	}
	file := filepath.Join("testdata", "plans.golden")
	if *updateGolden {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(file, []byte(got.String()), 0o644))
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, string(want), got.String())
}

// outcome is a plan's ID and its v2 and v1 IDs, each a hash of its whole
// content, or the refusal.
func outcome(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) string {
	plan, err := CreatePlan(a, o)
	if err != nil {
		return "refused: " + err.Error()
	}
	v2, err := plancheck.PlanIDV2(plan)
	if err != nil {
		return "v2 ID: " + err.Error()
	}
	v1, err := plancheck.PlanIDV1(plan)
	if err != nil {
		return "v1 ID: " + err.Error()
	}
	return plan.GetPlanId() + ", v2 " + v2 + ", v1 " + v1
}

// seededAnalysis draws a group of up to 300 candidates with every input
// the plan depends on varied: unsafe candidates, tied scores, each
// strategy, limits, canary, soak, a verdict with failed checks, and now
// and then a malformed candidate.
func seededAnalysis(seed uint64) (*rebalancerv1.RebalanceAnalysis, *rebalancerv1.PlanOverrides) {
	r := rand.New(rand.NewPCG(seed, 18))
	a := validAnalysis(0)
	for i := range r.IntN(300) {
		c := candidate(i, float64(r.IntN(6)))
		c.SafeToRebalance = r.IntN(10) > 0
		a.CandidateNodes = append(a.CandidateNodes, c)
	}
	a.TotalNodes = int32(len(a.CandidateNodes) + r.IntN(8) + 1)
	p := a.Policy
	p.Strategy = []rebalancerv1.RebalanceStrategy{rollingStrategy, surgeStrategy, blueGreenStrategy}[r.IntN(3)]
	p.BatchSize, p.MaxConcurrent = int32(1+r.IntN(8)), int32(1+r.IntN(8))
	// Mostly room for blue-green's whole green set, now and then not.
	p.MaxSurge = int32(max(1, len(a.CandidateNodes)+r.IntN(16)-4))
	p.MinHealthyPercent = int32(r.IntN(95))
	p.BatchSoakTime = durationpb.New(time.Duration(r.IntN(600)) * time.Second)
	if r.IntN(4) == 0 {
		a.RecommendedAction = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW
		a.SafetyChecks = []*rebalancerv1.SafetyCheck{{Name: "pdb-headroom", Status: rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING, Message: "one disruption left"}}
	}
	if n := len(a.CandidateNodes); n > 0 && r.IntN(8) == 0 {
		a.CandidateNodes[r.IntN(n)].VmIdentifier = ""
	}
	return a, &rebalancerv1.PlanOverrides{Canary: r.IntN(3) == 0}
}
