package lanes_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/lanes"
)

func replaceBatch(number int32, deps []int32, names ...string) *rebalancerv1.NodeBatch {
	b := &rebalancerv1.NodeBatch{BatchNumber: number, DependsOn: deps, Phase: rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE}
	for _, n := range names {
		b.Nodes = append(b.Nodes, &rebalancerv1.CandidateNode{NodeName: n})
	}
	return b
}

// laneNames renders lanes as node names, with "*" after a node that
// awaits some batch whole.
func laneNames(laid [][]lanes.Slot) [][]string {
	out := make([][]string, len(laid))
	for i, l := range laid {
		for _, s := range l {
			name := s.Node.GetNodeName()
			if len(s.Whole) > 0 {
				name += "*"
			}
			out[i] = append(out[i], name)
		}
	}
	return out
}

func TestLanesFollowTheSamePlaceOfTheBatchTheyDependOn(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		batches []*rebalancerv1.NodeBatch
		want    [][]string
	}{
		"rolling chains: the i-th node of each batch is lane i": {
			batches: []*rebalancerv1.NodeBatch{
				replaceBatch(1, nil, "a", "b"), replaceBatch(2, []int32{1}, "c", "d"), replaceBatch(3, []int32{2}, "e"),
			},
			want: [][]string{{"a", "c", "e"}, {"b", "d"}},
		},
		"a canary is awaited whole by every node after it": {
			batches: []*rebalancerv1.NodeBatch{
				replaceBatch(1, nil, "canary"), replaceBatch(2, []int32{1}, "a", "b"), replaceBatch(3, []int32{2}, "c", "d"),
			},
			want: [][]string{{"canary"}, {"a*", "c"}, {"b*", "d"}},
		},
		"surge lanes: batch k follows batch k-2": {
			batches: []*rebalancerv1.NodeBatch{
				replaceBatch(1, nil, "a", "b"), replaceBatch(2, nil, "c", "d"),
				replaceBatch(3, []int32{1}, "e", "f"), replaceBatch(4, []int32{2}, "g"),
			},
			want: [][]string{{"a", "e"}, {"b", "f"}, {"c", "g"}, {"d"}},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.True(t, lanes.Apply(c.batches))
			require.Equal(t, c.want, laneNames(lanes.Layout(c.batches)))
		})
	}
}

func TestABatchThatSoaksIsAwaitedWhole(t *testing.T) {
	t.Parallel()
	first := replaceBatch(1, nil, "a", "b")
	first.SoakTime = durationpb.New(60e9)
	laid := lanes.Layout([]*rebalancerv1.NodeBatch{first, replaceBatch(2, []int32{1}, "c", "d")})
	require.Equal(t, [][]string{{"a"}, {"b"}, {"c*"}, {"d*"}}, laneNames(laid))
}

func TestBlueGreenRunsInBatches(t *testing.T) {
	t.Parallel()
	b := replaceBatch(1, nil, "a")
	b.Phase = rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION
	require.False(t, lanes.Apply([]*rebalancerv1.NodeBatch{b}))
}
