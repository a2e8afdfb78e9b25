package planner

import (
	"slices"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// builder appends batches, numbering them from 1 in order.
type builder struct {
	batches []batchSpec
}

func (b *builder) add(phase rebalancerv1.BatchPhase, positions []int, dependsOn []int32, soak bool) int32 {
	b.batches = append(b.batches, batchSpec{phase: phase, positions: positions, dependsOn: dependsOn, soak: soak})
	return int32(len(b.batches))
}

// phaseRun is one phase laid out: its last batch in each lane (what the next
// phase waits for) and the most nodes of its batches running at once.
type phaseRun struct {
	tails []int32
	peak  int
}

// phase cuts positions into batches of size and chains them in lanes: the
// k-th batch waits for the (k−lanes)-th, so at most lanes batches of the
// phase run at once, and the first lanes batches wait for after. With
// canary, a single-node batch comes first and the rest of the phase waits
// for it.
func (b *builder) phase(phase rebalancerv1.BatchPhase, positions []int, size, lanes int, canary, soak bool, after []int32) phaseRun {
	if canary && len(positions) > 0 {
		first := b.add(phase, positions[:1], after, soak)
		b.batches[first-1].canary = true // canary.go: its soak
		rest := b.phase(phase, positions[1:], size, lanes, false, soak, []int32{first})
		if len(rest.tails) == 0 {
			rest.tails = []int32{first}
		}
		rest.peak = max(rest.peak, 1)
		return rest
	}
	count := (len(positions) + size - 1) / size
	// Room for the phase's batches at once: grown by append, the specs
	// were copied a dozen times at 10,000 nodes.
	b.batches = slices.Grow(b.batches, count)
	numbers := make([]int32, 0, count)
	sizes := make([]int, 0, count)
	// single holds each batch's one dependency, one array for the phase
	// rather than an allocation a batch.
	single := make([]int32, count)
	for start := 0; start < len(positions); start += size {
		chunk := positions[start:min(start+size, len(positions))]
		deps := after
		if k := len(numbers); k >= lanes {
			single[k] = numbers[k-lanes]
			deps = single[k : k+1 : k+1]
		}
		numbers = append(numbers, b.add(phase, chunk, deps, soak))
		sizes = append(sizes, len(chunk))
	}
	return phaseRun{tails: numbers[max(0, len(numbers)-lanes):], peak: windowPeak(sizes, lanes)}
}

// windowPeak is the largest sum of lanes consecutive sizes: the batches that
// may run together when each waits for the one lanes before it.
func windowPeak(sizes []int, lanes int) int {
	peak, sum := 0, 0
	for k, s := range sizes {
		sum += s
		if k >= lanes {
			sum -= sizes[k-lanes]
		}
		peak = max(peak, sum)
	}
	return peak
}

// positions lists 0..n-1: the candidates in priority order.
func positions(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}
