package app

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/vpsie/node-rebalancer/cli/internal/envflag"
	"github.com/vpsie/node-rebalancer/cli/output"
)

// EnvPrefix starts the variable every global flag falls back to.
const EnvPrefix = "REBALANCECTL"

// The services' default addresses: the ports they listen on in the
// README's examples and the demo.
const (
	DefaultAnalyzer = "127.0.0.1:9090"
	DefaultPlanner  = "127.0.0.1:9091"
	DefaultExecutor = "127.0.0.1:9092"
	DefaultTimeout  = 30 * time.Second
)

// globalOptions are the flags every command has.
type globalOptions struct {
	analyzer, planner, executor string
	timeout                     time.Duration
	outputName                  string
	output                      output.Format
	security                    securityOptions
	env                         *envflag.Binding
}

func (o *globalOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.analyzer, "analyzer", DefaultAnalyzer, "Analyzer gRPC address")
	fs.StringVar(&o.planner, "planner", DefaultPlanner, "Planner gRPC address")
	fs.StringVar(&o.executor, "executor", DefaultExecutor, "Executor gRPC address")
	fs.DurationVar(&o.timeout, "timeout", DefaultTimeout, "longest wait for each call (watch streams are not bounded)")
	fs.StringVarP(&o.outputName, "output", "o", string(output.Table), "output format: table, json or yaml")
	o.security.register(fs)
	o.env = envflag.New(EnvPrefix)
	for _, name := range append([]string{"analyzer", "planner", "executor", "timeout", "output"}, securityFlags...) {
		o.env.Bind(fs, name)
	}
}

// resolve applies the environment to flags not given and checks values.
func (o *globalOptions) resolve(fs *pflag.FlagSet, lookup envflag.Lookup) error {
	if err := o.env.Apply(fs, lookup); err != nil {
		return &usageError{err: err}
	}
	f, err := output.ParseFormat(o.outputName)
	if err != nil {
		return &usageError{err: err}
	}
	o.output = f
	if o.timeout <= 0 {
		return usageErrorf("--timeout must be positive, got %s", o.timeout)
	}
	return nil
}
