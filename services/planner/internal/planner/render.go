package planner

import (
	"slices"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// renderBatches turns a layout into the API's batches, each with its nodes,
// its estimate and, for drains, the policy's soak.
func renderBatches(l layout, nodes []*rebalancerv1.CandidateNode, p *rebalancerv1.RebalancePolicy) []*rebalancerv1.NodeBatch {
	out := make([]*rebalancerv1.NodeBatch, len(l.batches))
	for i, spec := range l.batches {
		b := &rebalancerv1.NodeBatch{
			BatchNumber:       int32(i + 1),
			Phase:             spec.phase,
			Nodes:             make([]*rebalancerv1.CandidateNode, len(spec.positions)),
			EstimatedDuration: durationpb.New(batchDuration(spec.phase, p)),
			DependsOn:         slices.Clone(spec.dependsOn),
		}
		for j, pos := range spec.positions {
			b.Nodes[j] = nodes[pos]
		}
		if spec.soak && p.GetBatchSoakTime() != nil {
			b.SoakTime = proto.CloneOf(p.GetBatchSoakTime())
		}
		out[i] = b
	}
	return out
}
