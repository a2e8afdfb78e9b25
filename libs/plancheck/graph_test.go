package plancheck

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"
	"pgregory.net/rapid"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// drawBatches draws up to 7 batches of 1 to 3 nodes, each waiting for a
// random set of earlier batches.
func drawBatches(t *rapid.T) []*rebalancerv1.NodeBatch {
	n := rapid.IntRange(1, 7).Draw(t, "batches")
	batches := make([]*rebalancerv1.NodeBatch, n)
	for i := range n {
		b := &rebalancerv1.NodeBatch{BatchNumber: int32(i + 1), EstimatedDuration: durationpb.New(time.Minute)}
		for range rapid.IntRange(1, 3).Draw(t, "size") {
			b.Nodes = append(b.Nodes, &rebalancerv1.CandidateNode{})
		}
		for j := range i {
			if rapid.Bool().Draw(t, "waits") {
				b.DependsOn = append(b.DependsOn, int32(j+1))
			}
		}
		batches[i] = b
	}
	return batches
}

// explorePeak visits every state the Executor can reach (batches started in
// order, each once its dependencies completed; any running batch may
// complete next) and returns the most nodes ever running at once.
func explorePeak(batches []*rebalancerv1.NodeBatch) int {
	type state struct {
		started int
		done    uint
	}
	seen := map[state]bool{}
	peak := 0
	var visit func(s state)
	visit = func(s state) {
		if seen[s] {
			return
		}
		seen[s] = true
		running := 0
		for i := range s.started {
			if s.done&(1<<i) == 0 {
				running += len(batches[i].GetNodes())
				visit(state{s.started, s.done | 1<<i})
			}
		}
		peak = max(peak, running)
		if s.started < len(batches) && depsDone(batches[s.started], s.done) {
			visit(state{s.started + 1, s.done})
		}
	}
	visit(state{})
	return peak
}

func depsDone(b *rebalancerv1.NodeBatch, done uint) bool {
	for _, d := range b.GetDependsOn() {
		if done&(1<<(d-1)) == 0 {
			return false
		}
	}
	return true
}

// The peak worked out from the dependency graph is exactly the most nodes
// the Executor can ever have running, over every interleaving.
func TestPeakMatchesEveryReachableSchedule(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		batches := drawBatches(t)
		peak, running := newGraph(batches).peak()
		require.Equal(t, explorePeak(batches), peak)
		sum := 0
		for _, i := range running {
			sum += len(batches[i].GetNodes())
		}
		require.Equal(t, peak, sum, "the batches named add up to the peak")
	})
}
