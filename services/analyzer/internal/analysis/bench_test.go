package analysis_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

// BenchmarkAnalyze analyses one group in a cache of 500 nodes and 10,000
// pods: a group of 50 nodes among ten, and one group holding all 500.
func BenchmarkAnalyze(b *testing.B) {
	for _, bc := range []struct {
		name          string
		groups, nodes int
	}{
		{name: "group_of_50_among_500_nodes", groups: 10, nodes: 50},
		{name: "group_of_500_nodes", groups: 1, nodes: 500},
	} {
		b.Run(bc.name, func(b *testing.B) {
			objects := testobj.Cluster(bc.groups, bc.nodes, 20)
			require.Equal(b, 10_000, testobj.PodsIn(objects))
			r := newRig(b, state.Static(objects...))
			opp := &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4"}
			a, err := r.analyzer.Analyze(b.Context(), "ns-g0", "g0", opp)
			require.NoError(b, err)
			require.Len(b, a.GetCandidateNodes(), bc.nodes)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := r.analyzer.Analyze(b.Context(), "ns-g0", "g0", opp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
