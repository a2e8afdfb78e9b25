package apivalidate

import (
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// executePlan checks the plan's shape; the Executor then checks its content
// against the cluster (every node in the group, none control-plane).
func executePlan(v *violations, r *rebalancerv1.ExecutePlanRequest) {
	p := r.GetPlan()
	if p == nil {
		v.add("plan", "is required")
		return
	}
	if p.GetPlanId() == "" {
		v.add("plan.plan_id", "is required")
	}
	v.namespace("plan.namespace", p.GetNamespace())
	v.objectName("plan.node_group", p.GetNodeGroup())
	v.fits("plan.failed_checks", len(p.GetFailedChecks()), MaxSafetyChecks)
	if len(p.GetBatches()) == 0 {
		v.add("plan.batches", "must hold at least one batch")
	}
	if !v.fits("plan.batches", len(p.GetBatches()), MaxBatches) {
		return
	}
	for i, b := range p.GetBatches() {
		field := index("plan.batches", i)
		if len(b.GetNodes()) == 0 {
			v.add(path(field, "nodes"), "must hold at least one node")
		}
		if !v.fits(path(field, "nodes"), len(b.GetNodes()), MaxNodesPerBatch) {
			continue
		}
		for j, n := range b.GetNodes() {
			v.objectName(path(index(path(field, "nodes"), j), "node_name"), n.GetNodeName())
		}
	}
}

func listExecutions(v *violations, r *rebalancerv1.ListExecutionsRequest) {
	if r.GetNamespace() != "" {
		v.namespace("namespace", r.GetNamespace())
	}
	if r.GetNodeGroup() != "" {
		v.objectName("node_group", r.GetNodeGroup())
		if r.GetNamespace() == "" {
			v.add("namespace", "is required with node_group")
		}
	}
	if s := r.GetPageSize(); s < 0 || s > MaxPageSize {
		v.add("page_size", "must be between 0 and the cap of %d, got %d", MaxPageSize, s)
	}
	for i, st := range r.GetStatuses() {
		if _, ok := rebalancerv1.ExecutionStatus_name[int32(st)]; !ok || st == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_UNSPECIFIED {
			v.add(index("statuses", i), "unknown status %d", st)
		}
	}
}

// positiveDuration checks an optional duration: unset is fine, zero or
// negative or malformed is not.
func positiveDuration(v *violations, field string, d *durationpb.Duration) {
	if d == nil {
		return
	}
	if err := d.CheckValid(); err != nil {
		v.add(field, "%v", err)
		return
	}
	if d.AsDuration() <= 0 {
		v.add(field, "must be positive, got %s", d.AsDuration())
	}
}
