package app

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/vpsie/node-rebalancer/cli/internal/rpcerr"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// executionCall is one Executor RPC on one execution, given the ID and the
// command's free text (a reason, or who approves).
type executionCall func(ctx context.Context, c rebalancerv1.ExecutorServiceClient, id, text string) (*rebalancerv1.ExecutionState, error)

// controlCommand builds the commands that act on one execution and print
// it: approve, pause, resume, cancel and rollback differ only in their call
// and text flag.
func (a *app) controlCommand(use, short, textFlag, textUsage string, call executionCall) *cobra.Command {
	var text string
	cmd := &cobra.Command{
		Use:   use + " EXECUTION_ID",
		Short: short,
		Args:  exactArgs("EXECUTION_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := a.executor()
			if err != nil {
				return err
			}
			ctx, cancel := a.callContext(cmd.Context())
			defer cancel()
			exec, err := call(ctx, client, args[0], text)
			if err != nil {
				return rpcerr.Wrap("executor", a.global.executor, err)
			}
			return a.printExecution(exec)
		},
	}
	if textFlag != "" {
		cmd.Flags().StringVar(&text, textFlag, "", textUsage)
	}
	return cmd
}

func (a *app) approveCommand() *cobra.Command {
	// The Executor records the approver as the identity it authenticated,
	// so there is no name to give.
	return a.controlCommand("approve", "Release an execution awaiting approval", "", "",
		func(ctx context.Context, c rebalancerv1.ExecutorServiceClient, id, _ string) (*rebalancerv1.ExecutionState, error) {
			resp, err := c.ApproveExecution(ctx, &rebalancerv1.ApproveExecutionRequest{ExecutionId: id})
			return resp.GetExecution(), err
		})
}

func (a *app) pauseCommand() *cobra.Command {
	return a.controlCommand("pause", "Stop an execution at the next step boundary", "reason", "why, recorded in the event",
		func(ctx context.Context, c rebalancerv1.ExecutorServiceClient, id, reason string) (*rebalancerv1.ExecutionState, error) {
			resp, err := c.PauseExecution(ctx, &rebalancerv1.PauseExecutionRequest{ExecutionId: id, Reason: reason})
			return resp.GetExecution(), err
		})
}

func (a *app) resumeCommand() *cobra.Command {
	return a.controlCommand("resume", "Continue a paused execution", "", "",
		func(ctx context.Context, c rebalancerv1.ExecutorServiceClient, id, _ string) (*rebalancerv1.ExecutionState, error) {
			resp, err := c.ResumeExecution(ctx, &rebalancerv1.ResumeExecutionRequest{ExecutionId: id})
			return resp.GetExecution(), err
		})
}

func (a *app) cancelCommand() *cobra.Command {
	return a.controlCommand("cancel", "Stop an execution and roll its unfinished work back", "reason", "why, recorded in the event",
		func(ctx context.Context, c rebalancerv1.ExecutorServiceClient, id, reason string) (*rebalancerv1.ExecutionState, error) {
			resp, err := c.CancelExecution(ctx, &rebalancerv1.CancelExecutionRequest{ExecutionId: id, Reason: reason})
			return resp.GetExecution(), err
		})
}

func (a *app) rollbackCommand() *cobra.Command {
	return a.controlCommand("rollback", "Carry out an execution's rollback plan now", "reason", "why, recorded in the event",
		func(ctx context.Context, c rebalancerv1.ExecutorServiceClient, id, reason string) (*rebalancerv1.ExecutionState, error) {
			resp, err := c.RollbackExecution(ctx, &rebalancerv1.RollbackExecutionRequest{ExecutionId: id, Reason: reason})
			return resp.GetExecution(), err
		})
}
