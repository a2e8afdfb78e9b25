package planner

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// benchCandidates is the group size issue 18 holds CreatePlan to (at most
// 20 ms for every strategy): ten times the API's cap on candidates, so the
// cap's worst case is far inside the budget.
const benchCandidates = 10_000

// BenchmarkCreatePlan plans a group of benchCandidates nodes, every node a
// candidate, under each strategy (batch 5, max_concurrent 10; blue-green
// with room for the whole green set). ms/op is ns/op in the unit of the goal.
func BenchmarkCreatePlan(b *testing.B) {
	for _, s := range benchStrategies {
		b.Run(StrategyName(s), func(b *testing.B) {
			a, o := benchAnalysis(s, benchCandidates)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := CreatePlan(a, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/float64(b.N), "ms/op")
		})
	}
}

// BenchmarkPlanID derives the ID of the plans BenchmarkCreatePlan makes:
// the SHA-256 of the whole plan's v3 encoding (several MB at
// benchCandidates; blue-green's batches list each node three times, once
// per phase, but v3 hashes a list of the same node messages once), which
// CreatePlan cannot do without and cannot shrink without changing the
// plan. It is the floor under BenchmarkCreatePlan; plan-MB is the plan's
// protobuf size, about that of the encoding hashed for rolling and surge.
func BenchmarkPlanID(b *testing.B) {
	for _, s := range benchStrategies {
		b.Run(StrategyName(s), func(b *testing.B) {
			plan, err := CreatePlan(benchAnalysis(s, benchCandidates))
			if err != nil {
				b.Fatal(err)
			}
			plan.PlanId = ""
			b.ReportAllocs()
			for b.Loop() {
				if _, err := plancheck.PlanID(plan); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/float64(b.N), "ms/op")
			b.ReportMetric(float64(proto.Size(plan))/1e6, "plan-MB")
		})
	}
}

var benchStrategies = []rebalancerv1.RebalanceStrategy{rollingStrategy, surgeStrategy, blueGreenStrategy}

// benchAnalysis is a group of n nodes, all candidates, planned with s.
func benchAnalysis(s rebalancerv1.RebalanceStrategy, n int) (*rebalancerv1.RebalanceAnalysis, *rebalancerv1.PlanOverrides) {
	a := validAnalysis(n)
	a.Policy.BatchSize, a.Policy.MaxConcurrent, a.Policy.MaxSurge = 5, 10, int32(n)
	return a, &rebalancerv1.PlanOverrides{Strategy: s}
}
