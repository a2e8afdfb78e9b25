package app

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vpsie/node-rebalancer/cli/internal/rpcerr"
	"github.com/vpsie/node-rebalancer/cli/output"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func (a *app) getCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "get EXECUTION_ID",
		Short: "Show an execution: status, nodes, failures and result",
		Args:  exactArgs("EXECUTION_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			exec, err := a.getExecution(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.printExecution(exec)
		},
	}
}

func (a *app) getExecution(ctx context.Context, id string) (*rebalancerv1.ExecutionState, error) {
	client, err := a.executor()
	if err != nil {
		return nil, err
	}
	ctx, cancel := a.callContext(ctx)
	defer cancel()
	resp, err := client.GetExecution(ctx, &rebalancerv1.GetExecutionRequest{ExecutionId: id})
	if err != nil {
		return nil, rpcerr.Wrap("executor", a.global.executor, err)
	}
	return resp.GetExecution(), nil
}

func (a *app) listCommand() *cobra.Command {
	var (
		req      rebalancerv1.ListExecutionsRequest
		statuses []string
	)
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List executions, newest first",
		Example: "  rebalancectl list -n web --status running,awaiting-approval",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			parsed, err := parseStatuses(statuses)
			if err != nil {
				return err
			}
			req.Statuses = parsed
			list, err := a.listExecutions(cmd.Context(), &req)
			if err != nil {
				return err
			}
			return output.Print(a.env.Stdout, a.global.output, list, func(w io.Writer) error {
				return output.ExecutionListTable(w, list)
			})
		},
	}
	cmd.Flags().StringVarP(&req.Namespace, "namespace", "n", "", "only executions of groups in this namespace")
	cmd.Flags().StringVarP(&req.NodeGroup, "group", "g", "", "only executions of this group (needs --namespace)")
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "only these statuses, e.g. running,failed")
	cmd.Flags().Int32Var(&req.PageSize, "limit", 0, "most executions to list, 1 to 1000 (default 100)")
	cmd.Flags().StringVar(&req.PageToken, "page-token", "", "continue a listing from the token it printed")
	return cmd
}

func (a *app) listExecutions(ctx context.Context, req *rebalancerv1.ListExecutionsRequest) (*rebalancerv1.ListExecutionsResponse, error) {
	client, err := a.executor()
	if err != nil {
		return nil, err
	}
	ctx, cancel := a.callContext(ctx)
	defer cancel()
	resp, err := client.ListExecutions(ctx, req)
	if err != nil {
		return nil, rpcerr.Wrap("executor", a.global.executor, err)
	}
	return resp, nil
}

// parseStatuses reads --status values such as "running" or
// "awaiting-approval" (any case, '-' or '_').
func parseStatuses(names []string) ([]rebalancerv1.ExecutionStatus, error) {
	out := make([]rebalancerv1.ExecutionStatus, 0, len(names))
	for _, name := range names {
		key := "EXECUTION_STATUS_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		v, ok := rebalancerv1.ExecutionStatus_value[key]
		if !ok || v == 0 {
			return nil, usageErrorf("--status %q: want pending, awaiting-approval, running, paused, rolling-back, succeeded, failed, cancelled or rolled-back", name)
		}
		out = append(out, rebalancerv1.ExecutionStatus(v))
	}
	return out, nil
}
