package plancheck

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// graph holds, for each batch, every batch it waits for, directly or not,
// and the first batch that waits for it directly. It is only built from
// well-formed dependencies (each on an earlier batch).
type graph struct {
	ancestors []bitset
	sizes     []int
	// firstDependant is the lowest-numbered batch listing this one in its
	// depends_on, as an index; len(sizes) when none does.
	firstDependant []int
}

func newGraph(batches []*rebalancerv1.NodeBatch) graph {
	n := len(batches)
	g := graph{ancestors: make([]bitset, n), sizes: make([]int, n), firstDependant: make([]int, n)}
	for i, b := range batches {
		g.sizes[i] = len(b.GetNodes())
		g.firstDependant[i] = n
		g.ancestors[i] = newBitset(n)
		for _, dep := range b.GetDependsOn() {
			j := int(dep) - 1
			g.ancestors[i].set(j)
			g.ancestors[i].or(g.ancestors[j])
			g.firstDependant[j] = min(g.firstDependant[j], i)
		}
	}
	return g
}

// waitsFor reports whether batch i starts only after batch j completed.
func (g graph) waitsFor(i, j int) bool { return g.ancestors[i].has(j) }

// peak returns the most nodes in batches running at the same moment, and
// those batches.
//
// The Executor starts batches in order, each once its dependencies have
// completed. When batch j starts, an earlier batch i may still be running
// unless some batch in (i, j] waits for it, directly or not: that batch has
// started, so i has completed. Such a batch exists exactly when a direct
// dependant of i comes no later than j (the last step of any chain back to
// i is one). So at worst batch i runs from its own start until its first
// direct dependant starts, all such batches can be slow at once, and the
// peak is the largest sum over those intervals at a batch start.
func (g graph) peak() (nodes int, running []int) {
	ending := make([][]int, len(g.sizes)+1)
	for i, d := range g.firstDependant {
		ending[d] = append(ending[d], i)
	}
	sum, at := 0, -1
	for j, size := range g.sizes {
		sum += size
		for _, i := range ending[j] {
			sum -= g.sizes[i]
		}
		if sum > nodes {
			nodes, at = sum, j
		}
	}
	for i := 0; i <= at; i++ {
		if g.firstDependant[i] > at {
			running = append(running, i)
		}
	}
	return nodes, running
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
