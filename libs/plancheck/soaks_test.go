package plancheck

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func TestAPlanKeepsTheSoaksItsPolicyAsksFor(t *testing.T) {
	t.Parallel()
	canary := rollingPlan()
	canary.Canary = true
	canary.Policy.Canary, canary.Policy.CanarySoak = true, durationpb.New(time.Minute)
	canary.Batches[0].SoakTime = durationpb.New(time.Minute)
	require.Empty(t, Check(seal(canary)), "the canary batch soaks the policy's canary_soak")

	canary.Batches[0].SoakTime = durationpb.New(10 * time.Second)
	require.Equal(t, []Violation{{Field: "plan.batches[0].soak_time",
		Description: "is 10s, shorter than the policy's canary_soak 1m0s"}}, Check(seal(canary)))

	canary.Batches[0].SoakTime, canary.Canary = durationpb.New(time.Minute), false
	require.Equal(t, []Violation{{Field: "plan.canary", Description: "is false but the plan's policy asks for a canary"}}, Check(seal(canary)))

	bg := blueGreenPlan()
	bg.Policy.BatchSoakTime = durationpb.New(30 * time.Second)
	bg.Batches[2].SoakTime = durationpb.New(30 * time.Second)
	require.Equal(t, []Violation{{Field: "plan.batches[3].soak_time",
		Description: "is 0s, shorter than the policy's batch_soak_time 30s"}}, Check(seal(bg)), "every drain batch soaks")
}

func TestLoosenedHoldsTheCanaryTheSoaksAndTheHealthQuery(t *testing.T) {
	t.Parallel()
	gate := &rebalancerv1.HealthGate{PrometheusQuery: "job:errors:ratio", MaxValue: 0.05}
	group := &rebalancerv1.RebalancePolicy{Canary: true, CanarySoak: durationpb.New(time.Minute),
		BatchSoakTime: durationpb.New(time.Minute), HealthGate: gate}
	same := &rebalancerv1.RebalancePolicy{Canary: true, CanarySoak: durationpb.New(2 * time.Minute),
		BatchSoakTime: durationpb.New(time.Minute), HealthGate: &rebalancerv1.HealthGate{PrometheusQuery: "job:errors:ratio", MaxValue: 0.01}}
	require.Empty(t, Loosened(group, same, nil), "a longer soak and a lower maximum are stricter")

	loose := &rebalancerv1.RebalancePolicy{BatchSoakTime: durationpb.New(time.Second),
		HealthGate: &rebalancerv1.HealthGate{PrometheusQuery: "job:errors:ratio", MaxValue: 0.5}}
	var fields []string
	for _, l := range Loosened(group, loose, nil) {
		fields = append(fields, l.Field)
	}
	require.Equal(t, []string{"canary", "canary_soak", "batch_soak_time", "health_gate"}, fields)

	noGate := &rebalancerv1.RebalancePolicy{Canary: true, CanarySoak: durationpb.New(time.Minute), BatchSoakTime: durationpb.New(time.Minute)}
	require.Equal(t, `health_gate is none in the plan but "job:errors:ratio" ≤ 0.05 in the group: a soak would not watch the group's health query as strictly`,
		Loosened(group, noGate, nil)[0].String())
}
