package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// defaults is the policy of a group that says nothing about rebalancing:
// the seed's, as the CRD defaults it.
func defaults() *rebalancerv1.RebalancePolicy {
	return &rebalancerv1.RebalancePolicy{
		Enabled:                         true,
		Strategy:                        rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		MaxConcurrent:                   2,
		BatchSize:                       2, // unset: max_concurrent
		MaxSurge:                        1,
		DrainTimeout:                    durationpb.New(300 * time.Second),
		ProvisionTimeout:                durationpb.New(600 * time.Second),
		CooldownPeriod:                  durationpb.New(time.Hour),
		MinHealthyPercent:               75,
		MinSavingsPercent:               10,
		SkipNodesWithLocalStorage:       true,
		RespectPdbs:                     true,
		TimeZone:                        "UTC",
		DrainTimeoutAction:              rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK,
		RolloutSingleReplicaDeployments: ptr.To(true),
	}
}

func TestFromSpec(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		spec v1alpha1.RebalancingPolicy
		edit func(*rebalancerv1.RebalancePolicy)
	}{
		"an empty policy takes every default": {},
		"an unset batch size follows max concurrent": {
			spec: v1alpha1.RebalancingPolicy{MaxConcurrent: 5},
			edit: func(p *rebalancerv1.RebalancePolicy) { p.MaxConcurrent, p.BatchSize = 5, 5 },
		},
		"disabled stays disabled": {
			spec: v1alpha1.RebalancingPolicy{Enabled: ptr.To(false)},
			edit: func(p *rebalancerv1.RebalancePolicy) { p.Enabled = false },
		},
		"surge": {
			spec: v1alpha1.RebalancingPolicy{Strategy: v1alpha1.StrategySurge, MaxSurge: 3},
			edit: func(p *rebalancerv1.RebalancePolicy) {
				p.Strategy, p.MaxSurge = rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE, 3
			},
		},
		"blue-green": {
			spec: v1alpha1.RebalancingPolicy{Strategy: v1alpha1.StrategyBlueGreen},
			edit: func(p *rebalancerv1.RebalancePolicy) {
				p.Strategy = rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN
			},
		},
		"an explicit zero cooldown is kept": {
			spec: v1alpha1.RebalancingPolicy{CooldownPeriod: &metav1.Duration{}},
			edit: func(p *rebalancerv1.RebalancePolicy) { p.CooldownPeriod = durationpb.New(0) },
		},
		"an explicit zero min healthy percent is kept": {
			spec: v1alpha1.RebalancingPolicy{MinHealthyPercent: ptr.To[int32](0)},
			edit: func(p *rebalancerv1.RebalancePolicy) { p.MinHealthyPercent = 0 },
		},
		"single replicas evicted, not rolled out": {
			spec: v1alpha1.RebalancingPolicy{RolloutSingleReplicaDeployments: ptr.To(false)},
			edit: func(p *rebalancerv1.RebalancePolicy) { p.RolloutSingleReplicaDeployments = ptr.To(false) },
		},
		"PDBs and local storage switched off": {
			spec: v1alpha1.RebalancingPolicy{RespectPDBs: ptr.To(false), SkipNodesWithLocalStorage: ptr.To(false)},
			edit: func(p *rebalancerv1.RebalancePolicy) { p.RespectPdbs, p.SkipNodesWithLocalStorage = false, false },
		},
		"force after the drain timeout": {
			spec: v1alpha1.RebalancingPolicy{DrainTimeoutAction: v1alpha1.DrainTimeoutForce, DrainTimeout: &metav1.Duration{Duration: time.Minute}},
			edit: func(p *rebalancerv1.RebalancePolicy) {
				p.DrainTimeoutAction = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE
				p.DrainTimeout = durationpb.New(time.Minute)
			},
		},
		"windows, with day names lowered, and a zone": {
			spec: v1alpha1.RebalancingPolicy{
				TimeZone:           "Europe/Amsterdam",
				MaintenanceWindows: []v1alpha1.TimeWindow{{Start: "22:00", End: "02:00", Days: []v1alpha1.Weekday{"Friday"}}},
				PeakHours:          []v1alpha1.TimeWindow{{Start: "09:00", End: "17:00"}},
			},
			edit: func(p *rebalancerv1.RebalancePolicy) {
				p.TimeZone = "Europe/Amsterdam"
				p.MaintenanceWindows = []*rebalancerv1.TimeWindow{{Start: "22:00", End: "02:00", Days: []string{"friday"}}}
				p.PeakHours = []*rebalancerv1.TimeWindow{{Start: "09:00", End: "17:00", Days: []string{}}}
			},
		},
		"fallback offerings, in the group's order": {
			spec: v1alpha1.RebalancingPolicy{AlternativeOfferings: []string{"general-4", "compute-6"}},
			edit: func(p *rebalancerv1.RebalancePolicy) { p.AlternativeOfferings = []string{"general-4", "compute-6"} },
		},
		"approval and savings threshold": {
			spec: v1alpha1.RebalancingPolicy{RequireApproval: true, MinSavingsPercent: ptr.To[int32](25)},
			edit: func(p *rebalancerv1.RebalancePolicy) { p.RequireApproval, p.MinSavingsPercent = true, 25 },
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := defaults()
			if tc.edit != nil {
				tc.edit(want)
			}
			got := FromSpec(tc.spec)
			require.True(t, proto.Equal(want, got), "want %v\ngot  %v", want, got)
		})
	}
}
