package engine

import (
	"context"
	"errors"
	"strings"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Execute accepts a plan and starts it, or holds it for approval (when it
// says so, and always for a NEEDS_REVIEW analysis). The same plan
// submitted again returns its existing execution, untouched. A plan that
// fails acceptance is refused with an *apivalidate.Error (malformed) or an
// *accept.Refusal (it may not run: its verdict, the live group, its age,
// the schedule, another execution holding the group), and nothing is
// written. A plan held for approval is not held to the schedule nor to
// its age until it is approved.
func (e *Executor) Execute(ctx context.Context, plan *rebalancerv1.RebalancePlan, requestedBy string) (*rebalancerv1.ExecutionState, error) {
	e.acceptMu.Lock()
	defer e.acceptMu.Unlock()
	id := naming.ExecutionID(plan.GetPlanId())
	if existing, err := e.deps.Store.Get(ctx, id); err == nil {
		return existing.State, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	starts := !accept.NeedsApproval(plan)
	group, err := e.deps.checker.Check(ctx, plan, accept.At{Now: e.deps.Clock.Now(), Start: starts, MaxPlanAge: e.deps.MaxPlanAge, Schedule: starts})
	if err != nil {
		return nil, err
	}
	// The last check writes: the group's lock, taken only by a plan that
	// passed every other.
	if err := takeGroup(ctx, &e.deps, group, plan, id); err != nil {
		return nil, err
	}
	if !e.reserve(id) {
		return e.Get(ctx, id) // running here already
	}
	rec, err := e.deps.Store.Create(ctx, e.newRecord(id, plan, group, requestedBy))
	if errors.Is(err, store.ErrExists) {
		e.unreserve(id)
		return e.Get(ctx, id) // another replica accepted it first
	}
	if err != nil {
		e.unreserve(id)
		releaseGroup(ctx, &e.deps, plan)
		return nil, err
	}
	x := newExecution(&e.deps, rec, nil)
	if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_ACCEPTED, "", 0,
		map[string]string{"requested_by": requestedBy}, "Plan %s accepted: %d nodes of %s/%s to %s",
		plan.GetPlanId(), plan.GetTotalNodes(), plan.GetNamespace(), plan.GetNodeGroup(), plan.GetOpportunity().GetTargetOffering()); err != nil {
		e.unreserve(id) // stored PENDING: a scan picks it up
		return nil, err
	}
	if !starts {
		e.unreserve(id)
		if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_AWAITING_APPROVAL, "", 0, nil,
			"Plan %s requires approval before it runs%s", plan.GetPlanId(), reviewNote(plan)); err != nil {
			return nil, err
		}
		// Whoever approves it takes the lease then.
		return x.snapshot(), x.release(ctx)
	}
	st := x.snapshot()
	return st, e.runOrHandOff(ctx, x)
}

// reviewNote says why a NEEDS_REVIEW plan waits, naming what to review.
func reviewNote(p *rebalancerv1.RebalancePlan) string {
	if p.GetAnalysisVerdict() != rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW {
		return ""
	}
	names := make([]string, len(p.GetFailedChecks()))
	for i, c := range p.GetFailedChecks() {
		names[i] = c.GetName()
	}
	return ": its analysis needs review (" + strings.Join(names, ", ") + ")"
}

// plannedHostname is the replacement VM's hostname in the vm mode, chosen
// by us; in the managed mode VPSie names the node, known once it joins.
func plannedHostname(group *v1alpha1.NodeGroup, plan *rebalancerv1.RebalancePlan, old string) string {
	if group.Spec.Provisioning.Mode != v1alpha1.ProvisioningVM {
		return ""
	}
	return naming.Hostname(plan.GetPlanId(), old, 1)
}

// newRecord is an accepted execution: one node state per planned node,
// PENDING (or AWAITING_APPROVAL), with the group's provisioning settings.
func (e *Executor) newRecord(id string, plan *rebalancerv1.RebalancePlan, group *v1alpha1.NodeGroup, requestedBy string) *store.Record {
	status := rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PENDING
	if accept.NeedsApproval(plan) {
		status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL
	}
	state := &rebalancerv1.ExecutionState{
		ExecutionId: id, PlanId: plan.GetPlanId(), NodeGroup: plan.GetNodeGroup(), Namespace: plan.GetNamespace(),
		Status: status, EstimatedRemaining: plan.GetEstimatedDuration(), Owner: e.deps.Replica,
	}
	seen := map[string]bool{}
	for _, b := range plan.GetBatches() {
		for _, c := range b.GetNodes() {
			if seen[c.GetNodeName()] {
				continue
			}
			seen[c.GetNodeName()] = true
			state.Nodes = append(state.Nodes, &rebalancerv1.NodeExecution{
				OldNode: c.GetNodeName(), OldVmIdentifier: c.GetVmIdentifier(), BatchNumber: b.GetBatchNumber(),
				NewHostname: plannedHostname(group, plan, c.GetNodeName()), Phase: rebalancerv1.NodePhase_NODE_PHASE_PENDING,
			})
		}
	}
	// The accepting replica holds the lease from the start (also while the
	// plan awaits approval, long enough to publish its first events).
	now := e.deps.Clock.Now()
	return &store.Record{
		State: state, Plan: plan, AcceptedAt: now, RequestedBy: requestedBy,
		Lease: store.Lease{Owner: e.deps.Replica, Expires: now.Add(e.deps.LeaseTTL)},
		Book: store.Book{Datacenter: group.Spec.Datacenter, GroupLabels: group.Spec.Labels, GroupTaints: group.Spec.Taints,
			Provisioning: group.Spec.Provisioning},
	}
}
