package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/vpsie/node-rebalancer/cli/internal/rpcerr"
	"github.com/vpsie/node-rebalancer/cli/output"
	"github.com/vpsie/node-rebalancer/cli/progressview"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func (a *app) watchCommand() *cobra.Command {
	var from uint64
	cmd := &cobra.Command{
		Use:   "watch EXECUTION_ID",
		Short: "Follow an execution until it ends; exit 0 only if it succeeded",
		Long: `watch streams an execution's events from the Executor. On a terminal it
redraws a progress bar per batch and per node; otherwise (CI, pipes) it prints
one line per event; -o json prints each event as one JSON line. It exits 0
when the execution SUCCEEDED and 1 when it ended otherwise.`,
		Example: `  rebalancectl watch exec-4f2a
  rebalancectl watch exec-4f2a --from-sequence 42   # resume after event 41`,
		Args: exactArgs("EXECUTION_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.watch(cmd.Context(), args[0], from)
		},
	}
	cmd.Flags().Uint64Var(&from, "from-sequence", 0, "first event wanted (a reconnecting watcher passes its last sequence plus one)")
	return cmd
}

// executionEndedError is a watched execution that ended other than
// SUCCEEDED: the command fails, so scripts and CI stop.
type executionEndedError struct {
	id     string
	status rebalancerv1.ExecutionStatus
	last   string
}

func (e *executionEndedError) Error() string {
	msg := fmt.Sprintf("execution %s ended %s", e.id, output.Status(e.status))
	if e.last != "" {
		msg += ": " + e.last
	}
	return msg
}

// watch follows one execution and judges how it ended.
func (a *app) watch(ctx context.Context, id string, from uint64) error {
	exec, err := a.getExecution(ctx, id)
	if err != nil {
		return err
	}
	state := progressview.NewState(exec, from)
	sink := a.eventSink()
	if err := sink.start(state); err != nil {
		return err
	}
	if err := a.stream(ctx, id, from, func(ev *rebalancerv1.ExecutionEvent) error {
		state.Apply(ev)
		return sink.event(state, ev)
	}); err != nil {
		return err
	}
	return a.verdict(ctx, state)
}

// stream calls handle for each event until the Executor ends the stream.
// The stream has no deadline: an execution takes as long as it takes.
func (a *app) stream(ctx context.Context, id string, from uint64, handle func(*rebalancerv1.ExecutionEvent) error) error {
	client, err := a.executor()
	if err != nil {
		return err
	}
	events, err := client.WatchExecution(ctx, &rebalancerv1.WatchExecutionRequest{ExecutionId: id, FromSequence: from})
	for err == nil {
		var resp *rebalancerv1.WatchExecutionResponse
		if resp, err = events.Recv(); err == nil {
			err = handle(resp.GetEvent())
		}
	}
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("%w; the execution goes on: rebalancectl get %s", errInterrupted, id)
	default:
		return rpcerr.Wrap("executor", a.global.executor, err)
	}
}

// verdict is nil for an execution that SUCCEEDED. When the stream ended
// without the final event (the execution had ended before the watch
// started from a later sequence), GetExecution has the last word.
func (a *app) verdict(ctx context.Context, state *progressview.State) error {
	status := state.Status
	if !state.Final {
		exec, err := a.getExecution(ctx, state.ExecutionID)
		if err != nil {
			return err
		}
		status = exec.GetStatus()
		if !finished(status) {
			return fmt.Errorf("the event stream of %s ended while it is %s; continue with: rebalancectl watch %s --from-sequence %d",
				state.ExecutionID, output.Status(status), state.ExecutionID, state.LastSequence+1)
		}
	}
	if status == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED {
		return nil
	}
	return &executionEndedError{id: state.ExecutionID, status: status, last: state.LastProblem}
}

func finished(s rebalancerv1.ExecutionStatus) bool {
	switch s {
	case rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED,
		rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK:
		return true
	}
	return false
}
