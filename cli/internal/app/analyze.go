package app

import (
	"context"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vpsie/node-rebalancer/cli/internal/rpcerr"
	"github.com/vpsie/node-rebalancer/cli/output"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// opportunityFlags describe a group and an opportunity; analyze needs them
// and plan takes them to analyze first.
type opportunityFlags struct {
	namespace, group, current, target string
	alternatives                      []string
	claimedSavings                    string
	opportunityID, reason             string
}

// opportunityFlagNames are the flags above, to tell whether any was given.
var opportunityFlagNames = []string{
	"namespace", "group", "current", "target", "alternative", "claimed-savings", "opportunity-id", "reason",
}

func (f *opportunityFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.namespace, "namespace", "n", "", "namespace of the NodeGroup")
	fs.StringVarP(&f.group, "group", "g", "", "name of the NodeGroup")
	fs.StringVar(&f.current, "current", "", "offering the group's nodes run today, e.g. standard-8")
	fs.StringVar(&f.target, "target", "", "offering to move to, e.g. compute-4")
	fs.StringSliceVar(&f.alternatives, "alternative", nil, "fallback offerings in order (repeat or comma-separate)")
	fs.StringVar(&f.claimedSavings, "claimed-savings", "0", "monthly savings claimed for the group, in dollars, e.g. 144.50")
	fs.StringVar(&f.opportunityID, "opportunity-id", "", "the optimizer's reference, echoed in plans and events")
	fs.StringVar(&f.reason, "reason", "", "why, shown to whoever approves the plan")
}

// anyGiven reports whether the command line set any opportunity flag.
func anyGiven(fs *pflag.FlagSet) bool {
	for _, name := range opportunityFlagNames {
		if fs.Changed(name) {
			return true
		}
	}
	return false
}

// request builds the AnalyzeRebalance request, refusing a command line
// that lacks what the Analyzer requires.
func (f *opportunityFlags) request() (*rebalancerv1.AnalyzeRebalanceRequest, error) {
	if err := requireFlags(map[string]string{
		"namespace": f.namespace, "group": f.group, "current": f.current, "target": f.target,
	}); err != nil {
		return nil, err
	}
	cents, err := parseDollars(f.claimedSavings)
	if err != nil {
		return nil, usageErrorf("--claimed-savings: %v", err)
	}
	return &rebalancerv1.AnalyzeRebalanceRequest{
		Namespace: f.namespace,
		NodeGroup: f.group,
		Opportunity: &rebalancerv1.Opportunity{
			Id: f.opportunityID, CurrentOffering: f.current, TargetOffering: f.target,
			AlternativeOfferings: f.alternatives, ClaimedMonthlySavingsCents: cents, Reason: f.reason,
		},
	}, nil
}

func (a *app) analyzeCommand() *cobra.Command {
	var flags opportunityFlags
	cmd := &cobra.Command{
		Use:   "analyze",
		Short: "Ask the Analyzer whether and how a group can move to another offering",
		Example: `  rebalancectl analyze -n web -g web --current standard-8 --target compute-4 --claimed-savings 144
  rebalancectl analyze -n web -g web --current standard-8 --target compute-4 -o json > analysis.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			analysis, err := a.analyze(cmd.Context(), &flags)
			if err != nil {
				return err
			}
			return output.Print(a.env.Stdout, a.global.output, analysis, func(w io.Writer) error {
				return output.AnalysisTable(w, analysis)
			})
		},
	}
	flags.register(cmd.Flags())
	return cmd
}

// analyze calls AnalyzeRebalance with the opportunity on the command line.
func (a *app) analyze(ctx context.Context, flags *opportunityFlags) (*rebalancerv1.RebalanceAnalysis, error) {
	req, err := flags.request()
	if err != nil {
		return nil, err
	}
	client, err := a.analyzer()
	if err != nil {
		return nil, err
	}
	ctx, cancel := a.callContext(ctx)
	defer cancel()
	resp, err := client.AnalyzeRebalance(ctx, req)
	if err != nil {
		return nil, rpcerr.Wrap("analyzer", a.global.analyzer, err)
	}
	return resp.GetAnalysis(), nil
}
