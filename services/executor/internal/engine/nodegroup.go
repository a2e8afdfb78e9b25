package engine

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// ConditionRebalancing is the NodeGroup condition the Executor owns.
const ConditionRebalancing = "Rebalancing"

// updateGroup writes the NodeGroup's status: its members as they are now,
// the Rebalancing condition, the active execution (the group's lock, see
// grouplock.go) while running and the last rebalance time at the end,
// when it clears the lock, with the step times of a successful one
// (timings.go). A lock another execution holds is left alone, and so is
// the condition it reports.
func (x *execution) updateGroup(ctx context.Context) error {
	if err := x.writeGroup(ctx); err != nil {
		return err
	}
	p := x.plan()
	return x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_GROUP_UPDATED, "", 0, nil,
		"NodeGroup %s/%s status updated", p.GetNamespace(), p.GetNodeGroup())
}

// writeGroup is updateGroup without its event.
func (x *execution) writeGroup(ctx context.Context) error {
	s := x.snapshot()
	p := x.plan()
	groups := x.deps.Groups.NodeGroups(p.GetNamespace())
	final := isFinal(s.GetStatus())
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		ng, err := groups.Get(ctx, p.GetNodeGroup(), metav1.GetOptions{})
		if err != nil {
			return err
		}
		nodes, err := x.setMembers(ctx, &ng.Status)
		if err != nil {
			return err
		}
		now := metav1.NewTime(x.now())
		cond := metav1.Condition{Type: ConditionRebalancing, ObservedGeneration: ng.Generation}
		holder := ng.Status.ActiveExecution
		ours := holder == nil || holder.PlanID == p.GetPlanId() && (holder.Installation == "" || holder.Installation == x.deps.Installation)
		switch {
		case final:
			if holder != nil && ours {
				ng.Status.ActiveExecution = nil
			}
			ng.Status.LastRebalanceTime = &now
			if s.GetStatus() == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED {
				// Only a success timed every step; any other end keeps
				// the last success's times.
				x.view(func(r *store.Record) {
					if t := rebalanceTimings(r, nodes, wallOf(s)); t != nil {
						ng.Status.LastRebalanceTimings = t
					}
				})
			}
			cond.Status, cond.Reason = metav1.ConditionFalse, reasonOf(s.GetStatus())
			cond.Message = fmt.Sprintf("Execution %s ended %s", s.GetExecutionId(), reasonOf(s.GetStatus()))
		case ours:
			ng.Status.ActiveExecution = &v1alpha1.ActiveExecution{PlanID: p.GetPlanId(), ExecutionID: s.GetExecutionId(),
				Installation: x.deps.Installation, StartTime: metav1.NewTime(s.GetStartedAt().AsTime()),
				TargetOffering: p.GetOpportunity().GetTargetOffering()}
			cond.Status, cond.Reason = metav1.ConditionTrue, "Running"
			cond.Message = fmt.Sprintf("Execution %s is replacing %d nodes", s.GetExecutionId(), len(s.GetNodes()))
		}
		if ours {
			meta.SetStatusCondition(&ng.Status.Conditions, cond)
		}
		_, err = groups.UpdateStatus(ctx, ng, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("update NodeGroup status: %w", err)
	}
	return nil
}

// setMembers lists the group's nodes into its status, and returns them.
func (x *execution) setMembers(ctx context.Context, st *v1alpha1.NodeGroupStatus) ([]corev1.Node, error) {
	nodes, err := x.steps.GroupNodes(ctx)
	if err != nil {
		return nil, err
	}
	st.Nodes, st.ReadyNodes = membersOf(nodes) // conditions.go
	return nodes, nil
}

// wallOf is a final execution's time from start to end.
func wallOf(s *rebalancerv1.ExecutionState) time.Duration {
	if d := s.GetResult().GetDuration(); d != nil {
		return d.AsDuration()
	}
	if s.GetStartedAt() == nil || s.GetCompletedAt() == nil {
		return 0
	}
	return s.GetCompletedAt().AsTime().Sub(s.GetStartedAt().AsTime())
}

func reasonOf(s rebalancerv1.ExecutionStatus) string {
	switch s {
	case rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED:
		return "Succeeded"
	case rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK:
		return "RolledBack"
	case rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED:
		return "Cancelled"
	}
	return "Failed"
}
