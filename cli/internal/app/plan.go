package app

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/vpsie/node-rebalancer/cli/internal/rpcerr"
	"github.com/vpsie/node-rebalancer/cli/output"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func (a *app) planCommand() *cobra.Command {
	var (
		file        string
		opportunity opportunityFlags
		overrides   overrideFlags
	)
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Ask the Planner for a plan, from an analysis or by analyzing first",
		Long: `plan turns an analysis into a plan: strategy, batches, limits and rollback.
The analysis comes from --file (protojson or YAML, "-" for standard input),
or plan runs analyze first with the same flags. Overrides change the group's
policy for this plan only.`,
		Example: `  rebalancectl analyze -n web -g web --current standard-8 --target compute-4 -o json | rebalancectl plan -f - -o json > plan.json
  rebalancectl plan -n web -g web --current standard-8 --target compute-4 --strategy surge --max-surge 2 --canary`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Overrides first: a mistyped flag should not cost an analysis.
			ov, err := overrides.build(cmd.Flags())
			if err != nil {
				return err
			}
			analysis, err := a.planInput(cmd, file, &opportunity)
			if err != nil {
				return err
			}
			plan, err := a.createPlan(cmd.Context(), analysis, ov)
			if err != nil {
				return err
			}
			return output.Print(a.env.Stdout, a.global.output, plan, func(w io.Writer) error {
				return output.PlanTable(w, plan)
			})
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", `analysis to plan (protojson or YAML; "-" reads standard input)`)
	opportunity.register(cmd.Flags())
	overrides.register(cmd.Flags())
	return cmd
}

// planInput is the analysis to plan: read from --file, or made by the
// Analyzer from the opportunity flags; exactly one of the two.
func (a *app) planInput(cmd *cobra.Command, file string, opportunity *opportunityFlags) (*rebalancerv1.RebalanceAnalysis, error) {
	analyzeFlags := anyGiven(cmd.Flags())
	switch {
	case file != "" && analyzeFlags:
		return nil, usageErrorf("give --file or the analyze flags (--namespace, --group, ...), not both")
	case file == "" && !analyzeFlags:
		return nil, usageErrorf("give --file with an analysis, or --namespace, --group, --current and --target to analyze first")
	case file == "":
		return a.analyze(cmd.Context(), opportunity)
	}
	data, err := a.readInput(file)
	if err != nil {
		return nil, err
	}
	analysis := &rebalancerv1.RebalanceAnalysis{}
	if err := decodeMessage(data, analysis, "analysis", sourceName(file)); err != nil {
		return nil, err
	}
	return analysis, nil
}

func (a *app) createPlan(ctx context.Context, analysis *rebalancerv1.RebalanceAnalysis,
	overrides *rebalancerv1.PlanOverrides) (*rebalancerv1.RebalancePlan, error) {
	client, err := a.planner()
	if err != nil {
		return nil, err
	}
	ctx, cancel := a.callContext(ctx)
	defer cancel()
	resp, err := client.CreatePlan(ctx, &rebalancerv1.CreatePlanRequest{Analysis: analysis, Overrides: overrides})
	if err != nil {
		return nil, rpcerr.Wrap("planner", a.global.planner, err)
	}
	return resp.GetPlan(), nil
}
