package planner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// The fixture's policy: provision 10 min, drain 5 min; terminating is
// budgeted 1 min. Each case starts from a 4-node group and changes one thing.
func TestEstimatesFollowTimeoutsAndStructure(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		overrides *rebalancerv1.PlanOverrides
		// group is the group's limits, where the default's would not show
		// the structure (overrides may only tighten them).
		group    func(p *rebalancerv1.RebalancePolicy)
		soak     time.Duration
		perBatch []time.Duration
		total    time.Duration
	}{
		"rolling adds up its batches of provision, drain and terminate": {
			overrides: &rebalancerv1.PlanOverrides{},
			perBatch:  []time.Duration{16 * time.Minute, 16 * time.Minute, 16 * time.Minute, 16 * time.Minute},
			total:     64 * time.Minute,
		},
		"surge overlaps its lanes": {
			overrides: &rebalancerv1.PlanOverrides{Strategy: surgeStrategy},
			group:     func(p *rebalancerv1.RebalancePolicy) { p.MaxSurge = 2 },
			perBatch:  []time.Duration{16 * time.Minute, 16 * time.Minute, 16 * time.Minute, 16 * time.Minute},
			total:     32 * time.Minute,
		},
		"the timeouts come from the overrides": {
			overrides: &rebalancerv1.PlanOverrides{
				DrainTimeout: durationpb.New(time.Minute), ProvisionTimeout: durationpb.New(2 * time.Minute),
			},
			group:    func(p *rebalancerv1.RebalancePolicy) { p.BatchSize = 2 },
			perBatch: []time.Duration{4 * time.Minute, 4 * time.Minute},
			total:    8 * time.Minute,
		},
		// Provision: 2 lanes of 2 batches = 20 min; drains: 4 × 5 min plus
		// 3 soaks of 2 min before the next drain and one before terminating
		// = 28 min; terminate: 2 lanes of 2 batches = 2 min.
		"blue-green provisions in lanes, drains and soaks in turn, then terminates": {
			overrides: &rebalancerv1.PlanOverrides{Strategy: blueGreenStrategy},
			group:     func(p *rebalancerv1.RebalancePolicy) { p.MaxSurge = 4 },
			soak:      2 * time.Minute,
			perBatch: []time.Duration{
				10 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute,
				5 * time.Minute, 5 * time.Minute, 5 * time.Minute, 5 * time.Minute,
				time.Minute, time.Minute, time.Minute, time.Minute,
			},
			total: 50 * time.Minute,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := validAnalysis(4)
			if tc.soak > 0 {
				a.Policy.BatchSoakTime = durationpb.New(tc.soak)
			}
			if tc.group != nil {
				tc.group(a.Policy)
			}
			plan, err := CreatePlan(a, tc.overrides)
			require.NoError(t, err)
			var perBatch []time.Duration
			for _, b := range plan.GetBatches() {
				perBatch = append(perBatch, b.GetEstimatedDuration().AsDuration())
			}
			require.Equal(t, tc.perBatch, perBatch)
			require.Equal(t, tc.total, plan.GetEstimatedDuration().AsDuration())
		})
	}
}
