package engine

import (
	"github.com/prometheus/client_golang/prometheus"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Metrics are the Executor's Prometheus series, by namespace and node group.
type Metrics struct {
	PlansExecuted    *prometheus.CounterVec
	PlansFailed      *prometheus.CounterVec
	Duration         *prometheus.HistogramVec
	NodesProvisioned *prometheus.CounterVec
	NodesDrained     *prometheus.CounterVec
	NodesTerminated  *prometheus.CounterVec
	NodesFailed      *prometheus.CounterVec
	Rollbacks        *prometheus.CounterVec
	Progress         *prometheus.GaugeVec
	CurrentBatch     *prometheus.GaugeVec
	// EstimatedCompletion is the seconds left until the running execution
	// ends, from its measured pace (estimate.go).
	EstimatedCompletion *prometheus.GaugeVec
	// RollbackRetries counts rollbacks that failed and wait for a retry.
	RollbackRetries *prometheus.CounterVec
	// OrphansReclaimed counts replacements no execution kept that the
	// reconciler deleted or adopted, by action and mode.
	OrphansReclaimed *prometheus.CounterVec
}

var groupLabels = []string{"namespace", "node_group"}

// NewMetrics creates the series and registers them on reg (nil: unregistered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vpsie_rebalancing_" + name, Help: help}, groupLabels)
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "vpsie_rebalancing_" + name, Help: help}, groupLabels)
	}
	m := &Metrics{
		PlansExecuted:    counter("plans_executed_total", "Executions that reached a final status."),
		PlansFailed:      counter("plans_failed_total", "Executions that ended failed or rolled back."),
		NodesProvisioned: counter("nodes_provisioned_total", "Replacement VMs created."),
		NodesDrained:     counter("nodes_drained_total", "Old nodes drained."),
		NodesTerminated:  counter("nodes_terminated_total", "Old VMs and Nodes deleted."),
		NodesFailed:      counter("nodes_failed_total", "Node replacements that failed."),
		Rollbacks:        counter("rollbacks_executed_total", "Rollbacks carried out."),
		Progress:         gauge("progress_percent", "Progress of the running execution, 0 to 100."),
		CurrentBatch:     gauge("current_batch", "Batch being worked on, from 1."),
		EstimatedCompletion: gauge("estimated_completion_seconds",
			"Seconds until the running execution is estimated to end, from its pace so far; 0 once it ended."),
		RollbackRetries: counter("rollback_retries_total", "Rollbacks that failed and are tried again later."),
		OrphansReclaimed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vpsie_rebalancing_orphans_reclaimed_total",
			Help: "Replacement machines left by executions that were lost or ended without keeping them, deleted or adopted by the reconciler."},
			[]string{"action", "mode"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vpsie_rebalancing_duration_seconds", Help: "Duration of executions, start to final status.",
			Buckets: prometheus.ExponentialBuckets(10, 2, 12),
		}, groupLabels),
	}
	if reg != nil {
		reg.MustRegister(m.PlansExecuted, m.PlansFailed, m.Duration, m.NodesProvisioned, m.NodesDrained,
			m.NodesTerminated, m.NodesFailed, m.Rollbacks, m.Progress, m.CurrentBatch, m.RollbackRetries, m.OrphansReclaimed,
			m.EstimatedCompletion)
	}
	return m
}

// count adds one to the node counter an event of kind stands for. The node
// counters follow the events that announce what they count (a VM
// provisioned, a node drained, terminated or failed), so the node steps,
// which emit most of those events, need no metrics of their own.
func (x *execution) count(kind rebalancerv1.EventKind) {
	x.estimateCompletion()
	var c *prometheus.CounterVec
	switch kind {
	case rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED:
		c = x.deps.Metrics.NodesProvisioned
	case rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED:
		c = x.deps.Metrics.NodesDrained
	case rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED:
		c = x.deps.Metrics.NodesTerminated
	case rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED:
		c = x.deps.Metrics.NodesFailed
	default:
		return
	}
	p := x.plan()
	c.WithLabelValues(p.GetNamespace(), p.GetNodeGroup()).Inc()
}

// countEnd sets what an execution's end settles: nothing left to wait
// for, and one rollback carried out when it ended rolled back or
// cancelled (a cancel rolls back). Counted here, at the one write that
// makes the execution final, rather than where a rollback starts: a
// rollback resumed after a takeover, or retried, starts again but ends
// once.
func (x *execution) countEnd(status rebalancerv1.ExecutionStatus) {
	p := x.plan()
	m, ns, g := x.deps.Metrics, p.GetNamespace(), p.GetNodeGroup()
	m.EstimatedCompletion.WithLabelValues(ns, g).Set(0)
	if status == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK ||
		status == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED {
		m.Rollbacks.WithLabelValues(ns, g).Inc()
	}
}
