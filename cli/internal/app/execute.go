package app

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/vpsie/node-rebalancer/cli/internal/rpcerr"
	"github.com/vpsie/node-rebalancer/cli/output"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func (a *app) executeCommand() *cobra.Command {
	var (
		file  string
		watch bool
	)
	cmd := &cobra.Command{
		Use:   "execute",
		Short: "Hand a plan to the Executor, and optionally watch it run",
		Long: `execute submits a plan (protojson or YAML, from --file or "-" for standard
input). Submitting the same plan again returns the existing execution. With
--watch it follows the execution like the watch command, and exits 0 only
when it succeeded. The Executor records who asked as the identity it
authenticated (the token or client certificate), not a name given here.`,
		Example: `  rebalancectl execute -f plan.json --watch
  rebalancectl plan -f analysis.json -o json | rebalancectl execute -f -`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return usageErrorf("missing --file with the plan to execute")
			}
			exec, err := a.executePlan(cmd.Context(), file)
			if err != nil {
				return err
			}
			if !watch {
				return a.printExecution(exec)
			}
			if err := a.announce(exec); err != nil {
				return err
			}
			return a.watch(cmd.Context(), exec.GetExecutionId(), 0)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", `plan to execute (protojson or YAML; "-" reads standard input)`)
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "follow the execution until it ends")
	return cmd
}

func (a *app) executePlan(ctx context.Context, file string) (*rebalancerv1.ExecutionState, error) {
	data, err := a.readInput(file)
	if err != nil {
		return nil, err
	}
	plan := &rebalancerv1.RebalancePlan{}
	if err := decodeMessage(data, plan, "plan", sourceName(file)); err != nil {
		return nil, err
	}
	client, err := a.executor()
	if err != nil {
		return nil, err
	}
	ctx, cancel := a.callContext(ctx)
	defer cancel()
	resp, err := client.ExecutePlan(ctx, &rebalancerv1.ExecutePlanRequest{Plan: plan})
	if err != nil {
		return nil, rpcerr.Wrap("executor", a.global.executor, err)
	}
	return resp.GetExecution(), nil
}

// announce says which execution is being watched, and that it waits for
// approval when it does, on standard error: standard output carries the
// events, which -o json keeps machine-readable.
func (a *app) announce(exec *rebalancerv1.ExecutionState) error {
	msg := fmt.Sprintf("Execution %s is %s\n", exec.GetExecutionId(), output.Status(exec.GetStatus()))
	if exec.GetStatus() == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL {
		msg += fmt.Sprintf("It runs once approved: rebalancectl approve %s\n", exec.GetExecutionId())
	}
	_, err := io.WriteString(a.env.Stderr, msg)
	return err
}

func (a *app) printExecution(exec *rebalancerv1.ExecutionState) error {
	return output.Print(a.env.Stdout, a.global.output, exec, func(w io.Writer) error {
		return output.ExecutionTable(w, exec)
	})
}
