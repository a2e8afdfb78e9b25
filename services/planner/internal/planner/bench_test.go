package planner

import (
	"testing"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// BenchmarkCreatePlan plans a 500-node group, every node a candidate, under
// each strategy (batch 5, max_concurrent 10; blue-green with room for the
// whole green set).
func BenchmarkCreatePlan(b *testing.B) {
	for _, s := range []rebalancerv1.RebalanceStrategy{rollingStrategy, surgeStrategy, blueGreenStrategy} {
		b.Run(StrategyName(s), func(b *testing.B) {
			a := validAnalysis(500)
			a.Policy.BatchSize, a.Policy.MaxConcurrent, a.Policy.MaxSurge = 5, 10, 500
			o := &rebalancerv1.PlanOverrides{Strategy: s}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := CreatePlan(a, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
