package e2e

import (
	"testing"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
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
		plan := planFor(b, e.ns, planSpec{strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
			replace: old, groupSize: nodes, target: "compute-4", drainTimeout: time.Minute})
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
