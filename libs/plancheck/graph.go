package plancheck

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// graph holds, for each batch, every batch it waits for, directly or not.
// Only built from well-formed dependencies (each on an earlier batch).
type graph struct {
	ancestors []bitset
	sizes     []int
}

func newGraph(batches []*rebalancerv1.NodeBatch) graph {
	g := graph{ancestors: make([]bitset, len(batches)), sizes: make([]int, len(batches))}
	for i, b := range batches {
		g.sizes[i] = len(b.GetNodes())
		g.ancestors[i] = newBitset(len(batches))
		for _, dep := range b.GetDependsOn() {
			j := int(dep) - 1
			g.ancestors[i].set(j)
			g.ancestors[i].or(g.ancestors[j])
		}
	}
	return g
}

// waitsFor reports whether batch i starts only after batch j completed.
func (g graph) waitsFor(i, j int) bool { return g.ancestors[i].has(j) }

// peak returns the most nodes in batches running at the same moment, and
// those batches. The Executor starts batches in order, each once its
// dependencies completed, so when batch j starts every earlier batch has
// started and the ones still running are among S, the batches up to j that
// j does not wait for. Of S, only those no other member of S waits for can
// still run (a batch S waits for had to complete before that member
// started), and all of them can, if slow enough: the peak over j of their
// sizes is exact.
func (g graph) peak() (nodes int, running []int) {
	n := len(g.sizes)
	waitedOn := newBitset(n)
	for j := range n {
		clear(waitedOn)
		for i := 0; i <= j; i++ {
			if !g.waitsFor(j, i) {
				waitedOn.or(g.ancestors[i])
			}
		}
		if sum := g.runningSize(j, waitedOn); sum > nodes {
			nodes, running = sum, g.running(j, waitedOn)
		}
	}
	return nodes, running
}

func (g graph) runningSize(j int, waitedOn bitset) int {
	sum := 0
	for i := 0; i <= j; i++ {
		if !g.waitsFor(j, i) && !waitedOn.has(i) {
			sum += g.sizes[i]
		}
	}
	return sum
}

func (g graph) running(j int, waitedOn bitset) []int {
	var set []int
	for i := 0; i <= j; i++ {
		if !g.waitsFor(j, i) && !waitedOn.has(i) {
			set = append(set, i)
		}
	}
	return set
}

// bitset is a set of batch indexes.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int) { b[i/64] |= 1 << (i % 64) }

func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

func (b bitset) or(o bitset) {
	for i := range o {
		b[i] |= o[i]
	}
}
