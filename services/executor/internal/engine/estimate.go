package engine

import (
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// estimateCompletion sets the running execution's estimated seconds to
// completion from its measured pace: the time it took to get this far,
// scaled to what is left. Before any progress the plan's own estimate
// stands, less the time spent. It is set at every event, so it follows
// the execution as it speeds up or stalls; paused and final executions
// leave it alone (countEnd sets 0 at the end).
func (x *execution) estimateCompletion() {
	s := x.snapshot()
	if s.GetStatus() != rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING || s.GetStartedAt() == nil {
		return
	}
	p := x.plan()
	left := remaining(x.now().Sub(s.GetStartedAt().AsTime()), s.GetProgressPercent(), p.GetEstimatedDuration().AsDuration())
	x.deps.Metrics.EstimatedCompletion.WithLabelValues(p.GetNamespace(), p.GetNodeGroup()).Set(left.Seconds())
}

// remaining is the time left at progress percent after elapsed, at the
// pace so far; with no progress yet, the plan's estimate less elapsed.
func remaining(elapsed time.Duration, percent int32, planned time.Duration) time.Duration {
	if percent <= 0 {
		return max(planned-elapsed, 0)
	}
	if percent >= 100 {
		return 0
	}
	return time.Duration(float64(elapsed) * float64(100-percent) / float64(percent))
}
