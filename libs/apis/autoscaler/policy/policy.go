// Package policy turns a NodeGroup's spec.rebalancing into the API's
// RebalancePolicy, applying the CRD's defaults to every field left unset.
// The API server applies them too, but a group read from an older
// server, a fake client or a hand-built object may lack them, and both
// readers need a complete policy: the Analyzer reports it in the analysis,
// and the Executor holds every plan to the live group's (the ceiling,
// the windows) before it acts.
package policy

import (
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// The CRD's defaults (see libs/apis/autoscaler/v1alpha1/rebalancing_types.go).
const (
	DefaultMaxConcurrent     = 2
	DefaultMaxSurge          = 1
	DefaultDrainTimeout      = 300 * time.Second
	DefaultProvisionTimeout  = 600 * time.Second
	DefaultCooldownPeriod    = time.Hour
	DefaultMinHealthyPercent = 75
	DefaultMinSavingsPercent = 10
	DefaultTimeZone          = "UTC"
)

// FromSpec converts a group's rebalancing policy, defaults applied.
func FromSpec(p v1alpha1.RebalancingPolicy) *rebalancerv1.RebalancePolicy {
	return &rebalancerv1.RebalancePolicy{
		Enabled:                   boolOr(p.Enabled, true),
		Strategy:                  strategy(p.Strategy),
		MaxConcurrent:             countOr(p.MaxConcurrent, DefaultMaxConcurrent),
		BatchSize:                 countOr(p.BatchSize, countOr(p.MaxConcurrent, DefaultMaxConcurrent)), // unset: a batch fills every lane
		MaxSurge:                  countOr(p.MaxSurge, DefaultMaxSurge),
		DrainTimeout:              durationOr(p.DrainTimeout, DefaultDrainTimeout),
		ProvisionTimeout:          durationOr(p.ProvisionTimeout, DefaultProvisionTimeout),
		CooldownPeriod:            durationOr(p.CooldownPeriod, DefaultCooldownPeriod),
		RequireApproval:           p.RequireApproval,
		MinHealthyPercent:         percentOr(p.MinHealthyPercent, DefaultMinHealthyPercent),
		MinSavingsPercent:         percentOr(p.MinSavingsPercent, DefaultMinSavingsPercent),
		SkipNodesWithLocalStorage: boolOr(p.SkipNodesWithLocalStorage, true),
		RespectPdbs:               boolOr(p.RespectPDBs, true),
		MaintenanceWindows:        windows(p.MaintenanceWindows),
		PeakHours:                 windows(p.PeakHours),
		TimeZone:                  stringOr(p.TimeZone, DefaultTimeZone),
		DrainTimeoutAction:        drainTimeoutAction(p.DrainTimeoutAction),
		// Always set: unset in a plan means on, so a group's false must travel.
		RolloutSingleReplicaDeployments: proto.Bool(boolOr(p.RolloutSingleReplicaDeployments, true)),
		// No default: a group that names none allows no fallback offering.
		AlternativeOfferings: slices.Clone(p.AlternativeOfferings),
		// Canary and soaks: unset means none (soak.go).
		Canary: canaryEnabled(p.Canary), CanarySoak: canarySoak(p.Canary), BatchSoakTime: optionalDuration(p.BatchSoakTime),
		HealthGate: healthGate(p.HealthGate),
	}
}

func strategy(s v1alpha1.Strategy) rebalancerv1.RebalanceStrategy {
	switch s {
	case v1alpha1.StrategySurge:
		return rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE
	case v1alpha1.StrategyBlueGreen:
		return rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN
	default: // "rolling", and the default when unset
		return rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING
	}
}

func drainTimeoutAction(a v1alpha1.DrainTimeoutAction) rebalancerv1.DrainTimeoutAction {
	if a == v1alpha1.DrainTimeoutForce {
		return rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE
	}
	return rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK
}

func windows(ws []v1alpha1.TimeWindow) []*rebalancerv1.TimeWindow {
	if len(ws) == 0 {
		return nil
	}
	out := make([]*rebalancerv1.TimeWindow, len(ws))
	for i, w := range ws {
		days := make([]string, len(w.Days))
		for j, d := range w.Days {
			days[j] = strings.ToLower(string(d))
		}
		out[i] = &rebalancerv1.TimeWindow{Start: w.Start, End: w.End, Days: days}
	}
	return out
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// countOr defaults a count whose CRD minimum is 1, so 0 can only mean unset.
func countOr(v, def int32) int32 {
	if v <= 0 {
		return def
	}
	return v
}

func percentOr(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return min(max(*p, 0), 100)
}

func durationOr(d *metav1.Duration, def time.Duration) *durationpb.Duration {
	if d == nil {
		return durationpb.New(def)
	}
	return durationpb.New(d.Duration)
}

func stringOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
