package planner

import (
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// batchArrays hands out the parts of a plan's batches from arrays sized for
// the whole layout, each part taken once, in order.
type batchArrays struct {
	batches   []rebalancerv1.NodeBatch
	durations []durationpb.Duration
	nodeList  []*rebalancerv1.CandidateNode
	deps      []int32
}

func newBatchArrays(specs []batchSpec) *batchArrays {
	nodes, deps := 0, 0
	for _, s := range specs {
		nodes += len(s.positions)
		deps += len(s.dependsOn)
	}
	return &batchArrays{
		batches:   make([]rebalancerv1.NodeBatch, len(specs)),
		durations: make([]durationpb.Duration, len(specs)),
		nodeList:  make([]*rebalancerv1.CandidateNode, nodes),
		deps:      make([]int32, deps),
	}
}

// nodes is the next n entries for a batch's nodes, nil for none as before.
func (a *batchArrays) nodes(n int) []*rebalancerv1.CandidateNode {
	out := a.nodeList[:n:n]
	a.nodeList = a.nodeList[n:]
	return out
}

// dependsOn is a copy of deps, nil for none: the layout's lists are shared
// between its batches, the plan's must not be.
func (a *batchArrays) dependsOn(deps []int32) []int32 {
	if deps == nil {
		return nil
	}
	out := a.deps[:len(deps):len(deps)]
	a.deps = a.deps[len(deps):]
	copy(out, deps)
	return out
}

// duration is durationpb.New(d) in the next entry.
func (a *batchArrays) duration(d time.Duration) *durationpb.Duration {
	out := &a.durations[0]
	a.durations = a.durations[1:]
	nanos := d.Nanoseconds()
	out.Seconds, out.Nanos = nanos/1e9, int32(nanos%1e9)
	return out
}
