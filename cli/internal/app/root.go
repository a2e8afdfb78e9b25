package app

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"
)

// app holds what every command shares: the process environment, the
// global flags and the connections opened so far.
type app struct {
	env    Environment
	global globalOptions
	conns  connections
}

// Execute runs the command line args and returns what went wrong, for
// Report to print. Usage errors come back as such, whatever cobra or pflag
// called them.
func Execute(ctx context.Context, env Environment, args []string) error {
	a := &app{env: env}
	a.conns.security = &a.global.security
	defer a.conns.close()
	root := a.rootCommand()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	var usage *usageError
	if errors.As(err, &usage) && cmd != nil {
		usage.command = cmd.CommandPath()
	}
	return err
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "rebalancectl",
		Short: "Analyze, plan, execute and watch node rebalances",
		Long: `rebalancectl drives the Node Rebalancer's three services over gRPC:
the Analyzer (is it safe, which nodes), the Planner (batches, limits,
rollback) and the Executor (runs plans and reports every step).`,
		SilenceErrors: true, // Report prints errors, once
		SilenceUsage:  true, // a refused call is not a usage problem
		Args:          unknownCommand,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.global.resolve(cmd.Flags(), a.env.LookupEnv)
		},
	}
	root.SuggestionsMinimumDistance = 2
	root.SetIn(a.env.Stdin)
	root.SetOut(a.env.Stdout)
	root.SetErr(a.env.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: err} })
	a.global.register(root.PersistentFlags())
	root.AddCommand(
		a.analyzeCommand(), a.planCommand(), a.executeCommand(), a.watchCommand(),
		a.getCommand(), a.listCommand(),
		a.approveCommand(), a.pauseCommand(), a.resumeCommand(), a.cancelCommand(), a.rollbackCommand(),
		a.dashboardCommand(),
	)
	return root
}

// unknownCommand refuses arguments to the root: they can only be a
// mistyped command.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := "unknown command " + `"` + args[0] + `"`
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return usageErrorf("%s", msg)
}

// exactArgs is cobra.ExactArgs reported as a usage error, naming the
// arguments wanted.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < len(names) {
			return usageErrorf("missing %s", strings.Join(names[len(args):], " "))
		}
		if len(args) > len(names) {
			return usageErrorf("unexpected argument %q after %s", args[len(names)], strings.Join(names, " "))
		}
		return nil
	}
}

// noArgs is cobra.NoArgs reported as a usage error.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q", args[0])
	}
	return nil
}
