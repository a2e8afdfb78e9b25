// Package config declares command-line flags that fall back to environment
// variables, so the same binary is configured by flags on a laptop and by
// env in a Deployment.
package config

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Flags wraps a FlagSet and an environment prefix: a flag "grpc-addr" with
// prefix "PLANNER" falls back to PLANNER_GRPC_ADDR.
type Flags struct {
	Set    *flag.FlagSet
	prefix string
	lookup func(string) (string, bool)
	errs   []error
}

// New returns Flags for a program named name whose variables start with prefix.
func New(name, prefix string) *Flags {
	return &Flags{Set: flag.NewFlagSet(name, flag.ContinueOnError), prefix: prefix, lookup: os.LookupEnv}
}

// EnvName is the variable a flag falls back to.
func (f *Flags) EnvName(flagName string) string {
	return EnvName(f.prefix, flagName)
}

// EnvName is the variable flag falls back to under prefix: "grpc-addr"
// with PLANNER is PLANNER_GRPC_ADDR. The CLI's pflag flags name theirs by
// it too, so an operator meets one naming rule across every binary.
func EnvName(prefix, flag string) string {
	return prefix + "_" + envCase(flag)
}

// String declares a string flag.
func (f *Flags) String(p *string, name, def, usage string) {
	f.Set.StringVar(p, name, f.env(name, def), f.usage(name, usage))
}

// StringFromEnv declares a string flag whose fallback is a variable of the
// caller's choice (KUBECONFIG, say) instead of the prefixed one.
func (f *Flags) StringFromEnv(p *string, name, envName, def, usage string) {
	if v, ok := f.lookup(envName); ok {
		def = v
	}
	f.Set.StringVar(p, name, def, fmt.Sprintf("%s (env %s)", usage, envName))
}

// Duration declares a duration flag.
func (f *Flags) Duration(p *time.Duration, name string, def time.Duration, usage string) {
	if v, ok := f.lookup(f.EnvName(name)); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s: %w", f.EnvName(name), err))
		} else {
			def = d
		}
	}
	f.Set.DurationVar(p, name, def, f.usage(name, usage))
}

// Int declares an integer flag.
func (f *Flags) Int(p *int, name string, def int, usage string) {
	if v, ok := f.lookup(f.EnvName(name)); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s: %w", f.EnvName(name), err))
		} else {
			def = n
		}
	}
	f.Set.IntVar(p, name, def, f.usage(name, usage))
}

// Bool declares a boolean flag.
func (f *Flags) Bool(p *bool, name string, def bool, usage string) {
	if v, ok := f.lookup(f.EnvName(name)); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s: %w", f.EnvName(name), err))
		} else {
			def = b
		}
	}
	f.Set.BoolVar(p, name, def, f.usage(name, usage))
}

// Parse parses args; a malformed variable is an error too.
func (f *Flags) Parse(args []string) error {
	if len(f.errs) > 0 {
		return f.errs[0]
	}
	return f.Set.Parse(args)
}

func (f *Flags) env(name, def string) string {
	if v, ok := f.lookup(f.EnvName(name)); ok {
		return v
	}
	return def
}

func (f *Flags) usage(name, usage string) string {
	return fmt.Sprintf("%s (env %s)", usage, f.EnvName(name))
}

func envCase(name string) string {
	out := []byte(name)
	for i, c := range out {
		switch {
		case c == '-':
			out[i] = '_'
		case c >= 'a' && c <= 'z':
			out[i] = c - 'a' + 'A'
		}
	}
	return string(out)
}
