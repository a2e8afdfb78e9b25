package planner

import (
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// The NodeGroup CRD's defaults. The Analyzer sends policies with defaults
// applied; an analysis written by hand may leave these at zero, which no
// policy can mean (the CRD's minimums are 1 and 1s).
const (
	defaultMaxConcurrent    = 2
	defaultMaxSurge         = 1
	defaultDrainTimeout     = 300 * time.Second
	defaultProvisionTimeout = 600 * time.Second
)

// effectivePolicy is the analysis' policy with unset fields defaulted and the
// overrides applied: the policy the plan follows and records.
func effectivePolicy(base *rebalancerv1.RebalancePolicy, o *rebalancerv1.PlanOverrides) *rebalancerv1.RebalancePolicy {
	p := &rebalancerv1.RebalancePolicy{}
	if base != nil {
		p = proto.CloneOf(base)
	}
	applyDefaults(p)
	applyOverrides(p, o)
	return p
}

func applyDefaults(p *rebalancerv1.RebalancePolicy) {
	if p.Strategy == rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_UNSPECIFIED {
		p.Strategy = rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING
	}
	if p.DrainTimeoutAction == rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_UNSPECIFIED {
		p.DrainTimeoutAction = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK
	}
	p.MaxConcurrent = orDefault(p.MaxConcurrent, defaultMaxConcurrent)
	// Unset batch_size is max_concurrent: a batch fills every lane.
	p.BatchSize = orDefault(p.BatchSize, p.MaxConcurrent)
	p.MaxSurge = orDefault(p.MaxSurge, defaultMaxSurge)
	if p.DrainTimeout.AsDuration() <= 0 {
		p.DrainTimeout = durationpb.New(defaultDrainTimeout)
	}
	if p.ProvisionTimeout.AsDuration() <= 0 {
		p.ProvisionTimeout = durationpb.New(defaultProvisionTimeout)
	}
	// Unset is the CRD's default, true: the plan says so explicitly, and
	// an explicit false from the group is kept.
	if p.RolloutSingleReplicaDeployments == nil {
		p.RolloutSingleReplicaDeployments = proto.Bool(true)
	}
}

func applyOverrides(p *rebalancerv1.RebalancePolicy, o *rebalancerv1.PlanOverrides) {
	if o == nil {
		return
	}
	if o.Strategy != rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_UNSPECIFIED {
		p.Strategy = o.Strategy
	}
	if o.BatchSize != nil {
		p.BatchSize = o.GetBatchSize()
	}
	if o.MaxConcurrent != nil {
		p.MaxConcurrent = o.GetMaxConcurrent()
	}
	if o.MaxSurge != nil {
		p.MaxSurge = o.GetMaxSurge()
	}
	if o.MinHealthyPercent != nil {
		p.MinHealthyPercent = o.GetMinHealthyPercent()
	}
	if o.RequireApproval != nil {
		p.RequireApproval = o.GetRequireApproval()
	}
	if o.DrainTimeout != nil {
		p.DrainTimeout = proto.CloneOf(o.DrainTimeout)
	}
	if o.ProvisionTimeout != nil {
		p.ProvisionTimeout = proto.CloneOf(o.ProvisionTimeout)
	}
}

func orDefault(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}
