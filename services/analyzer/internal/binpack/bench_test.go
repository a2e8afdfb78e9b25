package binpack

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// BenchmarkPack packs the pods of a 500-node group onto 500 nodes (19 pods
// a node, ten workloads), without rules and with every workload spread
// one-per-node-ish (maxSkew 1) and one kept one-per-node by anti-affinity:
// rules should cost per pod and rule, not per pair of pods.
func BenchmarkPack(b *testing.B) {
	const nodeCount, workloads, perWorkload = 500, 10, 950
	bins := make([]Bin, nodeCount)
	for i := range bins {
		bins[i] = bin(node(fmt.Sprintf("n%03d", i), nil), 4000, 8192, 110)
	}
	for _, bc := range []struct {
		name  string
		rules func(w int) []func(*corev1.Pod)
	}{
		{name: "no_rules", rules: func(int) []func(*corev1.Pod) { return nil }},
		{name: "spread_and_anti_affinity", rules: func(w int) []func(*corev1.Pod) {
			app := fmt.Sprintf("app-%d", w)
			if w == 0 {
				return []func(*corev1.Pod){antiAffinity(app, hostname)}
			}
			return []func(*corev1.Pod){spreadOver(app, 1, corev1.DoNotSchedule)}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var items []Item
			for w := range workloads {
				n := perWorkload
				if w == 0 {
					n = nodeCount // one per node fits exactly
				}
				for i := range n {
					items = append(items, item(replica(fmt.Sprintf("app-%d", w), i, bc.rules(w)...), 100, 100))
				}
			}
			for _, p := range Pack(items, bins) {
				if p.Bin < 0 {
					b.Fatalf("%s unplaced: %s", p.Item.Pod.Name, p.Blocked)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				Pack(items, bins)
			}
		})
	}
}
