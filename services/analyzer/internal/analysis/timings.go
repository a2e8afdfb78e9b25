package analysis

import (
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// stepTimingsOf passes on the step times the Executor measured in the
// group's last successful rebalance (status.lastRebalanceTimings), from
// which the Planner forecasts how long a plan takes on this group; nil
// when the group has none, and the plan then has no expected duration.
func stepTimingsOf(ng *v1alpha1.NodeGroup) *rebalancerv1.StepTimings {
	t := ng.Status.LastRebalanceTimings
	if t == nil || t.Nodes <= 0 {
		return nil
	}
	return &rebalancerv1.StepTimings{
		Provision:   durationpb.New(t.Provision.Duration),
		Drain:       durationpb.New(t.Drain.Duration),
		Terminate:   durationpb.New(t.Terminate.Duration),
		SampleNodes: t.Nodes,
	}
}
