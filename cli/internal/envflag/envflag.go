// Package envflag lets a cobra (pflag) flag fall back to an environment
// variable, so the CLI is configured the same way in a shell and in CI.
// The order is: the flag when given, else the variable when set, else the
// flag's default. libs/config does the same for the services' standard
// library flags, and names the variables for both (config.EnvName). The
// binding stays this package's own: cobra needs pflag, and the CLI learns
// its environment only when a command runs, after the flags are declared,
// so a variable is applied after parsing to each flag not given (pflag's
// Changed) where libs/config folds it into the default at declaration.
package envflag

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/vpsie/node-rebalancer/libs/config"
)

// Lookup reads one environment variable, os.LookupEnv in production and a
// map in tests, so tests need no process-wide environment.
type Lookup func(name string) (string, bool)

// Binding ties flags of a set to variables named PREFIX_FLAG_NAME.
type Binding struct {
	prefix string
	names  []string
}

// New returns a binding whose variables start with prefix.
func New(prefix string) *Binding { return &Binding{prefix: prefix} }

// VarName is the variable flag falls back to: "analyzer" with prefix
// REBALANCECTL is REBALANCECTL_ANALYZER.
func (b *Binding) VarName(flag string) string { return config.EnvName(b.prefix, flag) }

// Bind records that flag falls back to its variable and names the
// variable in the flag's help text.
func (b *Binding) Bind(flags *pflag.FlagSet, flag string) {
	f := flags.Lookup(flag)
	if f == nil {
		panic("envflag: no flag " + flag) // a programming error, caught by any test
	}
	f.Usage = fmt.Sprintf("%s (env %s)", f.Usage, b.VarName(flag))
	b.names = append(b.names, flag)
}

// Apply sets every bound flag not given on the command line from its
// variable. A malformed value is an error naming the variable.
func (b *Binding) Apply(flags *pflag.FlagSet, lookup Lookup) error {
	for _, name := range b.names {
		f := flags.Lookup(name)
		if f == nil || f.Changed {
			continue
		}
		v, ok := lookup(b.VarName(name))
		if !ok {
			continue
		}
		if err := f.Value.Set(v); err != nil {
			return fmt.Errorf("%s=%q: %w", b.VarName(name), v, err)
		}
	}
	return nil
}
