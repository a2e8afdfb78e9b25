package engine

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// run drives one execution from where its record stands to a final
// status. It returns early, leaving the record as it is, only when ctx
// ends (shutdown): a later run resumes it.
func (e *Executor) run(ctx context.Context, id string) error {
	rec, err := e.deps.Store.Get(ctx, id)
	if err != nil {
		return err
	}
	x := &execution{deps: &e.deps, rec: rec}
	switch rec.State.GetStatus() {
	case rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PENDING:
		if err := x.start(ctx); err != nil {
			return err
		}
		fallthrough
	case rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING:
		return x.runToEnd(ctx)
	case rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLING_BACK:
		return x.rollbackToEnd(ctx)
	}
	return nil // awaiting approval, paused or final: nothing to do here
}

// start marks the execution running and the group as being rebalanced.
func (x *execution) start(ctx context.Context) error {
	now := x.now()
	if err := x.update(ctx, func(r *store.Record) {
		r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
		r.State.StartedAt = timestamppb.New(now)
		r.State.Owner = x.deps.Replica
	}); err != nil {
		return err
	}
	p := x.plan()
	if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED, "", 0,
		map[string]string{"owner": x.deps.Replica, "strategy": p.GetStrategy().String()},
		"Execution started on %s: %d nodes, %s", x.deps.Replica, p.GetTotalNodes(), p.GetStrategy()); err != nil {
		return err
	}
	return x.updateGroup(ctx)
}

// runToEnd runs the batches; on a failure it rolls back when the plan says
// so, and in every case records an honest final status.
func (x *execution) runToEnd(ctx context.Context) error {
	err := x.runBatches(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err == nil {
		return x.finish(ctx, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED)
	}
	x.deps.Logger.Warn("execution failed", "execution", x.snapshot().GetExecutionId(), "error", err)
	if !x.plan().GetRollbackPlan().GetAutomatic() {
		return x.finish(ctx, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED)
	}
	return x.rollbackToEnd(ctx)
}

func (x *execution) rollbackToEnd(ctx context.Context) error {
	err := x.rollback(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		x.deps.Logger.Error("rollback failed", "execution", x.snapshot().GetExecutionId(), "error", err)
		_ = x.update(ctx, func(r *store.Record) { r.State.Errors = append(r.State.Errors, "rollback: "+err.Error()) })
		return errors.Join(err, x.finish(ctx, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED))
	}
	return x.finish(ctx, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK)
}

// launch runs an execution in the background, bounded by the executor's life.
func (e *Executor) launch(id string) {
	e.wg.Go(func() {
		if err := e.run(e.ctx, id); err != nil && !errors.Is(err, context.Canceled) {
			e.deps.Logger.Error("execution stopped", "execution", id, "error", fmt.Sprint(err))
		}
	})
}
