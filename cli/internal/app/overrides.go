package app

import (
	"strings"
	"time"

	"github.com/spf13/pflag"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// overrideFlags change the group's policy for one plan; the Planner
// refuses any that would loosen it. Only flags given
// on the command line are sent: an unset override keeps the policy's value,
// which is why each is read through Changed rather than its zero value.
type overrideFlags struct {
	strategy                                          string
	batchSize, maxConcurrent, maxSurge, minHealthyPct int32
	canary, requireApproval                           bool
	drainTimeout, provisionTimeout                    time.Duration
}

// strategies maps --strategy values to the API's enum.
var strategies = map[string]rebalancerv1.RebalanceStrategy{
	"rolling":    rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
	"surge":      rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
	"blue-green": rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN,
}

func (f *overrideFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.strategy, "strategy", "", "rolling, surge or blue-green instead of the policy's")
	fs.Int32Var(&f.batchSize, "batch-size", 0, "nodes per batch, up to the policy's")
	fs.Int32Var(&f.maxConcurrent, "max-concurrent", 0, "most nodes replaced at once, up to the policy's")
	fs.Int32Var(&f.maxSurge, "max-surge", 0, "most replacements ahead of their old nodes, up to the policy's")
	fs.Int32Var(&f.minHealthyPct, "min-healthy-percent", 0, "capacity floor, from the policy's to 100 percent of the group")
	fs.BoolVar(&f.canary, "canary", false, "replace a single canary node first; the others wait for it")
	fs.BoolVar(&f.requireApproval, "require-approval", false, "hold the plan for approval (false cannot waive a policy's approval)")
	fs.DurationVar(&f.drainTimeout, "drain-timeout", 0, "drain timeout instead of the policy's")
	fs.DurationVar(&f.provisionTimeout, "provision-timeout", 0, "provision timeout instead of the policy's")
}

// build returns the overrides given on the command line. Ranges are the
// Planner's to check: it names each bad field in its answer.
func (f *overrideFlags) build(fs *pflag.FlagSet) (*rebalancerv1.PlanOverrides, error) {
	o := &rebalancerv1.PlanOverrides{Canary: f.canary}
	if fs.Changed("strategy") {
		s, ok := strategies[strings.ToLower(f.strategy)]
		if !ok {
			return nil, usageErrorf("--strategy %q: want rolling, surge or blue-green", f.strategy)
		}
		o.Strategy = s
	}
	setInt := func(name string, value int32, field **int32) {
		if fs.Changed(name) {
			*field = &value
		}
	}
	setInt("batch-size", f.batchSize, &o.BatchSize)
	setInt("max-concurrent", f.maxConcurrent, &o.MaxConcurrent)
	setInt("max-surge", f.maxSurge, &o.MaxSurge)
	setInt("min-healthy-percent", f.minHealthyPct, &o.MinHealthyPercent)
	if fs.Changed("require-approval") {
		o.RequireApproval = &f.requireApproval
	}
	if fs.Changed("drain-timeout") {
		o.DrainTimeout = durationpb.New(f.drainTimeout)
	}
	if fs.Changed("provision-timeout") {
		o.ProvisionTimeout = durationpb.New(f.provisionTimeout)
	}
	return o, nil
}
