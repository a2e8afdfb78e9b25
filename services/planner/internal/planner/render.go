package planner

import (
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// renderBatches turns a layout into the API's batches, each with its nodes,
// its estimate and, for drains, the policy's soak. A plan at 10,000 nodes
// has thousands of batches, so their messages, node lists, dependencies and
// estimates come from one array each (see batchArrays) instead of four
// allocations a batch; a list is capped at its length, so appending to one
// batch's never writes into the next.
func renderBatches(l layout, nodes []*rebalancerv1.CandidateNode, p *rebalancerv1.RebalancePolicy) []*rebalancerv1.NodeBatch {
	arr := newBatchArrays(l.batches)
	out := make([]*rebalancerv1.NodeBatch, len(l.batches))
	for i, spec := range l.batches {
		b := &arr.batches[i]
		b.BatchNumber = int32(i + 1)
		b.Phase = spec.phase
		b.Nodes = arr.nodes(len(spec.positions))
		b.EstimatedDuration = arr.duration(batchDuration(spec.phase, p))
		b.DependsOn = arr.dependsOn(spec.dependsOn)
		for j, pos := range spec.positions {
			b.Nodes[j] = nodes[pos]
		}
		if spec.soak && p.GetBatchSoakTime() != nil {
			b.SoakTime = proto.CloneOf(p.GetBatchSoakTime())
		}
		b.SoakTime = canarySoak(spec, b.GetSoakTime(), p) // canary.go
		out[i] = b
	}
	return out
}
