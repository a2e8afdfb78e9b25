package bench

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// BenchmarkRebalance replaces every node of a group under realistic
// workloads and reports the figures of the package doc; the size comes
// from the environment (FromEnv), the small one by default. Each
// iteration is a whole rebalance: run it with -benchtime 1x.
func BenchmarkRebalance(b *testing.B) {
	cfg, err := FromEnv()
	require.NoError(b, err)
	for b.Loop() {
		f := measure(b, cfg)
		f.Print(os.Stdout)
		b.ReportMetric(f.Wall.Seconds(), "wall-s")
		b.ReportMetric(f.Bound.Seconds(), "bound-s")
		b.ReportMetric(f.Ratio(), "wall/bound")
		b.ReportMetric(f.Estimate.Seconds(), "estimate-s")
		b.ReportMetric(f.EstimateRatio(), "estimate/wall")
		b.ReportMetric(f.Expected.Seconds(), "expected-s")
		b.ReportMetric(f.ExpectedRatio(), "expected/wall")
		b.ReportMetric(f.Speedup, "speedup")
		b.ReportMetric(f.KubePerNode, "kube-req/node")
		b.ReportMetric(f.CloudPerNode, "vpsie-req/node")
		b.ReportMetric(f.PeakMiB, "peak-MiB")
	}
}

// measure runs the measured rebalance, then the baseline, each in a
// namespace and world of its own. The measured group has Concurrency
// nodes more than Nodes, which a warm-up replaces first, at the measured
// concurrency: the Executor writes the warm-up's step times into the
// group's status, and the measured plan is made from an analysis that
// carries them, as the Analyzer's would, so it has an expected duration.
func measure(b *testing.B, cfg Config) Figures {
	b.Helper()
	var f Figures
	b.Run("measured", func(b *testing.B) {
		w, ns, nodes, pods := setUp(b, cfg, cfg.Nodes+cfg.Concurrency)
		warm, old := nodes[:cfg.Concurrency], nodes[cfg.Concurrency:]
		wr := w.rebalance(b, ns, warm, old, cfg.Concurrency)
		requireSucceeded(b, wr, len(warm))
		r := w.rebalance(b, ns, old, w.othersOf(b, ns, old), cfg.Concurrency)
		requireSucceeded(b, r, len(old))
		require.NotNil(b, r.timings, "the warm-up's step times, kept in the group's status")
		f = figures(cfg, r, pods)
		f.WarmUp = wr.wall
	})
	if cfg.BaselineNodes > 0 {
		b.Run("one-at-a-time", func(b *testing.B) {
			w, ns, old, _ := setUp(b, cfg, cfg.BaselineNodes)
			r := w.rebalance(b, ns, old, nil, 1)
			requireSucceeded(b, r, len(old))
			f.BaselineNodes = cfg.BaselineNodes
			f.BaselinePerNode = r.wall / time.Duration(cfg.BaselineNodes)
			f.Speedup = (f.BaselinePerNode * time.Duration(cfg.Nodes)).Seconds() / f.Wall.Seconds()
		})
	}
	return f
}

// setUp is a world and a group of n nodes running their share of the
// configured pods.
func setUp(b *testing.B, cfg Config, n int) (*world, string, []*corev1.Node, int) {
	b.Helper()
	ns := sandboxtest.Namespace(b)
	w := newWorld(b, sandboxtest.Shared(), cfg, ns)
	old := w.createGroup(b, ns, n)
	pods := cfg.Pods * n / cfg.Nodes
	w.createWorkloads(b, ns, workloads(ns, n, pods), n)
	return w, ns, old, pods
}

func requireSucceeded(b *testing.B, r run, n int) {
	b.Helper()
	require.Equal(b, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, r.final.GetStatus(), "errors: %v", r.final.GetErrors())
	require.EqualValues(b, n, r.final.GetResult().GetNodesReplaced())
}
