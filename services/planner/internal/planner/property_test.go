package planner

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"pgregory.net/rapid"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// drawAnalysis draws a group of candidates (some unsafe, scores with ties),
// excluded nodes beside them, and a policy with every limit random.
func drawAnalysis(t *rapid.T) (*rebalancerv1.RebalanceAnalysis, *rebalancerv1.PlanOverrides) {
	a := validAnalysis(0)
	for i := range rapid.IntRange(0, 40).Draw(t, "candidates") {
		c := candidate(i, float64(rapid.IntRange(0, 5).Draw(t, "score")))
		c.SafeToRebalance = rapid.IntRange(0, 9).Draw(t, "safe") > 0
		a.CandidateNodes = append(a.CandidateNodes, c)
	}
	a.TotalNodes = int32(len(a.CandidateNodes) + rapid.IntRange(0, 8).Draw(t, "excluded"))
	a.TotalNodes = max(a.TotalNodes, 1)
	a.Policy.Strategy = rapid.SampledFrom([]rebalancerv1.RebalanceStrategy{rollingStrategy, surgeStrategy, blueGreenStrategy}).Draw(t, "strategy")
	a.Policy.BatchSize = rapid.Int32Range(1, 6).Draw(t, "batch_size")
	a.Policy.MaxConcurrent = rapid.Int32Range(1, 6).Draw(t, "max_concurrent")
	a.Policy.MaxSurge = rapid.Int32Range(1, 45).Draw(t, "max_surge")
	a.Policy.MinHealthyPercent = rapid.Int32Range(0, 100).Draw(t, "min_healthy_percent")
	a.Policy.DrainTimeout = durationpb.New(time.Duration(rapid.IntRange(1, 900).Draw(t, "drain_s")) * time.Second)
	a.Policy.BatchSoakTime = durationpb.New(time.Duration(rapid.IntRange(0, 600).Draw(t, "soak_s")) * time.Second)
	return a, &rebalancerv1.PlanOverrides{Canary: rapid.Bool().Draw(t, "canary")}
}

// expectedRefusal works out, independently of the planner, which rule (if
// any) must refuse the analysis.
func expectedRefusal(a *rebalancerv1.RebalanceAnalysis) string {
	safe := 0
	for _, c := range a.GetCandidateNodes() {
		if c.GetSafeToRebalance() {
			safe++
		}
	}
	floor := (int(a.GetPolicy().GetMinHealthyPercent())*int(a.GetTotalNodes()) + 99) / 100
	switch {
	case safe == 0:
		return "safe_to_rebalance"
	case len(a.GetCandidateNodes()) < floor:
		return "min_healthy_percent"
	case a.GetPolicy().GetStrategy() == blueGreenStrategy && safe > int(a.GetPolicy().GetMaxSurge()):
		return "max_surge"
	}
	return ""
}

func TestPlansKeepTheirPromisesForAnyGroupAndPolicy(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		a, o := drawAnalysis(t)
		plan, err := CreatePlan(a, o)
		if want := expectedRefusal(a); want != "" {
			rule, _ := unmetRule(t, err)
			require.Equal(t, want, rule)
			return
		}
		require.NoError(t, err)
		require.Empty(t, plancheck.Check(plan), "the shared plan rules hold")
		checkEveryCandidateOncePerPhase(t, a, plan)
		checkBatchLimits(t, a.GetPolicy(), o.GetCanary(), plan)
		checkPriorityOrder(t, plan)
		again, err := CreatePlan(clonePair(a, o))
		require.NoError(t, err)
		require.True(t, proto.Equal(plan, again), "the same input gives the same plan")
		simulate(t, plan, boundsOf(a))
	})
}

func boundsOf(a *rebalancerv1.RebalanceAnalysis) bounds {
	p := a.GetPolicy()
	b := bounds{
		readyAtStart:  len(a.GetCandidateNodes()),
		floor:         (int(p.GetMinHealthyPercent())*int(a.GetTotalNodes()) + 99) / 100,
		maxConcurrent: int(p.GetMaxConcurrent()),
	}
	if p.GetStrategy() != rollingStrategy {
		b.maxSurge = int(p.GetMaxSurge())
	}
	return b
}

// checkEveryCandidateOncePerPhase: each safe candidate appears exactly once
// in each phase of its strategy, and no other node appears.
func checkEveryCandidateOncePerPhase(t *rapid.T, a *rebalancerv1.RebalanceAnalysis, plan *rebalancerv1.RebalancePlan) {
	seen := map[rebalancerv1.BatchPhase]map[string]int{}
	for _, b := range plan.GetBatches() {
		if seen[b.GetPhase()] == nil {
			seen[b.GetPhase()] = map[string]int{}
		}
		for _, n := range b.GetNodes() {
			seen[b.GetPhase()][n.GetNodeName()]++
		}
	}
	want := map[string]int{}
	for _, c := range a.GetCandidateNodes() {
		if c.GetSafeToRebalance() {
			want[c.GetNodeName()] = 1
		}
	}
	phases := 1
	if plan.GetStrategy() == blueGreenStrategy {
		phases = 3
	}
	require.Len(t, seen, phases)
	for phase, got := range seen {
		require.Equal(t, want, got, "nodes of phase %s", phase)
	}
}

func checkBatchLimits(t *rapid.T, p *rebalancerv1.RebalancePolicy, canary bool, plan *rebalancerv1.RebalancePlan) {
	for _, b := range plan.GetBatches() {
		require.LessOrEqual(t, len(b.GetNodes()), int(p.GetBatchSize()), "batch %d against batch_size", b.GetBatchNumber())
		require.LessOrEqual(t, len(b.GetNodes()), int(p.GetMaxConcurrent()), "batch %d against max_concurrent", b.GetBatchNumber())
	}
	if canary {
		require.Len(t, plan.GetBatches()[0].GetNodes(), 1, "the canary batch")
	}
}

// checkPriorityOrder: within a phase, nodes come by falling score, and by
// the Analyzer's order (their names here) on ties.
func checkPriorityOrder(t *rapid.T, plan *rebalancerv1.RebalancePlan) {
	last := map[rebalancerv1.BatchPhase]*rebalancerv1.CandidateNode{}
	for _, b := range plan.GetBatches() {
		for _, n := range b.GetNodes() {
			if prev := last[b.GetPhase()]; prev != nil {
				before := fmt.Sprintf("%s (%g) before %s (%g)", prev.GetNodeName(), prev.GetPriorityScore(), n.GetNodeName(), n.GetPriorityScore())
				require.GreaterOrEqual(t, prev.GetPriorityScore(), n.GetPriorityScore(), before)
				if prev.GetPriorityScore() == n.GetPriorityScore() {
					require.Less(t, prev.GetNodeName(), n.GetNodeName(), before)
				}
			}
			last[b.GetPhase()] = n
		}
	}
}
