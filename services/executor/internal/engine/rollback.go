package engine

import (
	"context"
	"errors"
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// rollback carries out the plan's rollback steps that apply to the work
// done: uncordon and restore old nodes not terminated, remove replacements
// that have not taken an old node's place (drained first, so their pods
// move back through the Eviction API), keep completed replacements, then
// verify workloads. Steps are idempotent, so a resumed rollback repeats them.
func (x *execution) rollback(ctx context.Context) error {
	p := x.plan()
	// Counted once, when the execution ends (countEnd in metrics.go).
	if err := x.update(ctx, func(r *store.Record) {
		r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLING_BACK
	}); err != nil {
		return err
	}
	if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STARTED, "", 0, nil,
		"Rolling back: %d steps planned", len(p.GetRollbackPlan().GetSteps())); err != nil {
		return err
	}
	for _, s := range p.GetRollbackPlan().GetSteps() {
		did, err := x.rollbackStep(ctx, s)
		if err != nil {
			return errors.Join(err, x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_FAILED, s.GetNodeName(), s.GetBatchNumber(), nil,
				"Rollback step %d (%s) failed: %v; an operator must look", s.GetOrder(), s.GetAction(), err))
		}
		if did == "" {
			continue
		}
		if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STEP, s.GetNodeName(), s.GetBatchNumber(),
			map[string]string{"action": s.GetAction().String()}, "Rollback step %d: %s", s.GetOrder(), did); err != nil {
			return err
		}
	}
	if err := x.update(ctx, func(r *store.Record) { settleRolledBack(r); settleRetried(r) }); err != nil {
		return err
	}
	return x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED, "", 0, nil, "Rollback completed")
}

// settleRolledBack settles every node neither replaced nor failed in its
// final phase, ROLLED_BACK.
func settleRolledBack(r *store.Record) {
	for _, ne := range r.State.GetNodes() {
		if ne.GetPhase() < rebalancerv1.NodePhase_NODE_PHASE_TERMINATING {
			ne.Phase = rebalancerv1.NodePhase_NODE_PHASE_ROLLED_BACK
		}
	}
}

// rollbackStep carries out one step if it applies, and says what it did
// ("" when nothing applied).
func (x *execution) rollbackStep(ctx context.Context, s *rebalancerv1.RollbackStep) (string, error) {
	switch s.GetAction() {
	case rebalancerv1.RollbackAction_ROLLBACK_ACTION_STOP_EXECUTION:
		return "no new step is started; the steps in flight have ended", nil
	case rebalancerv1.RollbackAction_ROLLBACK_ACTION_UNCORDON_NODE:
		return x.rollbackUncordon(ctx, s.GetNodeName())
	case rebalancerv1.RollbackAction_ROLLBACK_ACTION_DELETE_NEW_NODE:
		return x.rollbackReplacement(ctx, s.GetNodeName())
	case rebalancerv1.RollbackAction_ROLLBACK_ACTION_KEEP_REPLACEMENT:
		if ne := x.nodeState(s.GetNodeName()); ne != nil && ne.GetPhase() == rebalancerv1.NodePhase_NODE_PHASE_DONE {
			return fmt.Sprintf("kept %s, the replacement of terminated %s", ne.GetNewNode(), ne.GetOldNode()), nil
		}
		return "", nil
	case rebalancerv1.RollbackAction_ROLLBACK_ACTION_VERIFY_WORKLOADS:
		return x.rollbackVerify(ctx)
	}
	return "", nil
}

func (x *execution) nodeState(old string) *rebalancerv1.NodeExecution {
	for _, ne := range x.snapshot().GetNodes() {
		if ne.GetOldNode() == old {
			return ne
		}
	}
	return nil
}

// rollbackUncordon restores an old node that was not terminated.
func (x *execution) rollbackUncordon(ctx context.Context, old string) (string, error) {
	ne := x.nodeState(old)
	if ne == nil || ne.GetPhase() == rebalancerv1.NodePhase_NODE_PHASE_DONE || ne.GetPhase() == rebalancerv1.NodePhase_NODE_PHASE_TERMINATING {
		return "", nil
	}
	restored, err := x.steps.Restore(ctx, old)
	if err != nil || !restored {
		return "", err
	}
	return fmt.Sprintf("restored %s: cordon, taints and labels as before", old), nil
}

// rollbackReplacement removes the replacement of an old node that was not
// terminated: it is cordoned and drained (its pods go back to the old
// nodes, uncordoned by the earlier steps), then its VM and Node deleted.
func (x *execution) rollbackReplacement(ctx context.Context, old string) (string, error) {
	ne := x.nodeState(old)
	if ne == nil || ne.GetPhase() >= rebalancerv1.NodePhase_NODE_PHASE_TERMINATING && ne.GetPhase() <= rebalancerv1.NodePhase_NODE_PHASE_DONE {
		return "", nil
	}
	if ne.GetNewVmIdentifier() == "" && ne.GetNewHostname() == "" {
		return "", nil // nothing was asked of the cloud
	}
	if name := ne.GetNewNode(); name != "" {
		if err := x.steps.DrainReplacement(ctx, old, name); err != nil {
			return "", err
		}
	}
	if err := x.steps.DeleteReplacement(ctx, ne); err != nil {
		return "", err
	}
	return fmt.Sprintf("deleted replacement %s (VM %s) of %s", ne.GetNewHostname(), ne.GetNewVmIdentifier(), old), nil
}

// rollbackVerify waits for every workload the execution moved to be available.
func (x *execution) rollbackVerify(ctx context.Context) (string, error) {
	var owners []string
	x.view(func(r *store.Record) {
		for _, b := range r.Book.Nodes {
			owners = append(owners, b.Owners...)
		}
	})
	deadline := x.now().Add(x.plan().GetPolicy().GetDrainTimeout().AsDuration())
	if err := x.steps.WaitAvailable(ctx, owners, deadline); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d moved workloads are available", len(owners)), nil
}
