package e2e

import (
	"testing"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
)

// BenchmarkRollingReplace replaces a group of three nodes running the
// realistic workloads with a rolling plan, once per iteration, and reports
// nodes replaced per minute (execution only: group and workload setup are
// not timed).
func BenchmarkRollingReplace(b *testing.B) {
	const nodes = 3
	var replaced int
	var spent time.Duration
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		old := e.createGroup(current, nodes)
		w := realistic(e.ns)
		w.Create(b, e.sb)
		w.WaitRunning(b, e.sb, nodes)
		plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
			Replace: old, GroupSize: nodes, Target: "compute-4", DrainTimeout: time.Minute})
		b.StartTimer()
		start := time.Now()
		final := e.run(plan, &recorder{})
		spent += time.Since(start)
		if final.GetStatus() != rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED {
			b.Fatalf("execution ended %s: %v", final.GetStatus(), final.GetErrors())
		}
		replaced += int(final.GetResult().GetNodesReplaced())
	}
	b.ReportMetric(float64(replaced)/spent.Minutes(), "nodes/min")
}
