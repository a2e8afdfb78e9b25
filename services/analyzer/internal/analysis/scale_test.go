package analysis_test

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/analysis"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

// indexedMeanNs is the indexed variant's mean latency, for the baseline to
// report its speed-up against when both run in one process.
var indexedMeanNs float64

// BenchmarkAnalyzeAtScale analyses a group of 50 nodes among 5,000 nodes
// and 100,000 pods (100 groups), first from the indexed caches, then
// against the listing baseline. Sizes are the issue's; keep -benchtime
// small on a small machine:
//
//	go test -run '^$' -bench 'Analyze' -benchtime 20x -benchmem ./internal/analysis/
func BenchmarkAnalyzeAtScale(b *testing.B) {
	opp := &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4"}
	b.Run("indexed_5000_nodes_100000_pods", func(b *testing.B) {
		st := state.Static(scaleCluster(b)...) // the objects become garbage here
		heap := heapInUseMiB()
		indexedMeanNs = runAnalyze(b, newRig(b, st).analyzer, opp)
		b.ReportMetric(heap, "heap-MiB")
	})
	b.Run("listing_baseline_5000_nodes_100000_pods", func(b *testing.B) {
		objects := scaleCluster(b)
		var kubeObjects []k8sruntime.Object
		for _, o := range objects {
			switch o.(type) {
			case *corev1.Node, *corev1.Pod, *policyv1.PodDisruptionBudget:
				kubeObjects = append(kubeObjects, o)
			}
		}
		// objects and kubeObjects are dead from here: the heap read below
		// holds the cache and the fake API's copies only.
		st := &listingState{Cache: state.Static(objects...), kube: fake.NewClientset(kubeObjects...)}
		heap := heapInUseMiB()
		mean := runAnalyze(b, newRig(b, st).analyzer, opp)
		b.ReportMetric(heap, "heap-MiB")
		if indexedMeanNs > 0 {
			b.ReportMetric(mean/indexedMeanNs, "speedup-x")
		}
	})
}

func scaleCluster(b *testing.B) []k8sruntime.Object {
	objects := testobj.Cluster(100, 50, 20)
	require.Equal(b, 100_000, testobj.PodsIn(objects))
	return objects
}

// heapInUseMiB is the heap in use once the stores are filled and the
// garbage of filling them is collected. It is read before the loop and
// reported after it, since ResetTimer drops metrics reported earlier.
func heapInUseMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

// runAnalyze times each analysis of g0, reports the p99, and returns the
// mean in nanoseconds.
func runAnalyze(b *testing.B, a *analysis.Analyzer, opp *rebalancerv1.Opportunity) float64 {
	first, err := a.Analyze(b.Context(), "ns-g0", "g0", opp)
	require.NoError(b, err)
	require.Len(b, first.GetCandidateNodes(), 50)
	var took []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := a.Analyze(b.Context(), "ns-g0", "g0", opp); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(p99(took))/float64(time.Millisecond), "p99-ms")
	var total time.Duration
	for _, d := range took {
		total += d
	}
	return float64(total) / float64(len(took))
}

// p99 is the nearest-rank 99th percentile.
func p99(took []time.Duration) time.Duration {
	sorted := slices.Clone(took)
	slices.Sort(sorted)
	return sorted[(len(sorted)*99+99)/100-1]
}
