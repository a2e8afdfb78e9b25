package plancheck

import (
	"testing"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// TestIDEncodingV3MatchesReflection holds the v3 encoder to the reflection
// walk as TestIDEncodingV2MatchesReflection does v2, and also on a batch
// whose nodes are hashed in several chunks and on batches with no nodes or
// a nil one: a field added to a message the encoder writes by hand fails
// here until the encoder writes it.
func TestIDEncodingV3MatchesReflection(t *testing.T) {
	t.Parallel()
	full := everyField(t)
	long := everyField(t)
	for len(encodedNodes(long.GetBatches()[0].GetNodes())) < 3*idChunk {
		long.Batches[0].Nodes = append(long.Batches[0].Nodes, long.GetBatches()[0].GetNodes()...)
	}
	holes := blueGreenPlan()
	holes.Batches[0].Nodes = nil
	holes.Batches[1].Nodes = []*rebalancerv1.CandidateNode{nil, holes.GetBatches()[1].GetNodes()[0]}
	for name, p := range map[string]*rebalancerv1.RebalancePlan{
		"every field set": full, "rolling": rollingPlan(), "blue-green": blueGreenPlan(), "empty": {},
		"a batch longer than a chunk": long, "no nodes and a nil node": holes,
	} {
		require.Equal(t, reflectEncoding(t, rulesV3, p), handEncoding(t, rulesV3, p), name)
	}
}

// encodedNodes is what v3 hashes a batch's nodes by, less its domain.
func encodedNodes(nodes []*rebalancerv1.CandidateNode) []byte {
	return appendNodes(nil, 3, nodes)
}

// TestPlanIDV3SeesWhichBatchHoldsANode: the same nodes cut into batches
// another way give another ID, though the nodes' bytes, read in order, are
// the same.
func TestPlanIDV3SeesWhichBatchHoldsANode(t *testing.T) {
	t.Parallel()
	a, b, c := &rebalancerv1.CandidateNode{NodeName: "a"}, &rebalancerv1.CandidateNode{NodeName: "b"}, &rebalancerv1.CandidateNode{NodeName: "c"}
	one := mustID(t, batchesOf([]*rebalancerv1.CandidateNode{a, b}, []*rebalancerv1.CandidateNode{c}))
	other := mustID(t, batchesOf([]*rebalancerv1.CandidateNode{a}, []*rebalancerv1.CandidateNode{b, c}))
	require.NotEqual(t, one, other)
}
