package plancheck

import (
	"strconv"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// checkDependencies checks batch numbers and depends_on. The Executor starts
// batches in order, so a batch may only wait for earlier ones; that also
// keeps the graph acyclic, but a cycle is named on its own because that is
// what a hand edit usually got wrong. ok is false when the schedule cannot
// be worked out, and the rules that need it are skipped.
func checkDependencies(r *report, p *rebalancerv1.RebalancePlan) (g graph, ok bool) {
	batches := p.GetBatches()
	ok = true
	for i, b := range batches {
		if int(b.GetBatchNumber()) != i+1 {
			r.add(batchPath(i)+".batch_number", "is %d, want %d: batches are numbered from 1 in order", b.GetBatchNumber(), i+1)
			ok = false
		}
		seen := map[int32]int{}
		for k, dep := range b.GetDependsOn() {
			ok = checkDependency(r, i, k, dep, len(batches)) && ok
			if first, dup := seen[dep]; dup {
				r.add(depPath(i, k), "repeats depends_on[%d]", first)
			}
			seen[dep] = k
		}
	}
	reportCycles(r, batches)
	if !ok {
		return graph{}, false
	}
	return newGraph(batches), true
}

func checkDependency(r *report, i, k int, dep int32, count int) bool {
	switch number := int32(i + 1); {
	case dep < 1 || int(dep) > count:
		r.add(depPath(i, k), "refers to batch %d, which does not exist", dep)
	case dep == number:
		r.add(depPath(i, k), "refers to batch %d itself", dep)
	case dep > number:
		r.add(depPath(i, k), "refers to batch %d, which comes after batch %d: the Executor starts batches in order, so a batch waits only for earlier ones", dep, number)
	default:
		return true
	}
	return false
}

// reportCycles names each dependency that closes a cycle, with the cycle.
// Only a reference to a later batch can close one, and that is the one a
// hand editor has to undo, so the cycle is reported there.
func reportCycles(r *report, batches []*rebalancerv1.NodeBatch) {
	for i, b := range batches {
		for k, dep := range b.GetDependsOn() {
			j := int(dep) - 1
			if j <= i || j >= len(batches) {
				continue
			}
			if back := dependencyPath(batches, j, i); back != nil {
				r.add(depPath(i, k), "closes a dependency cycle: %s", cycleText(append([]int{i}, back...)))
			}
		}
	}
}

// dependencyPath follows depends_on from batch index from to batch index to,
// breadth first, and returns the indexes on the way, both ends included; nil if to
// cannot be reached.
func dependencyPath(batches []*rebalancerv1.NodeBatch, from, to int) []int {
	parent := map[int]int{from: -1}
	queue := []int{from}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		if i == to {
			var path []int
			for ; i != from; i = parent[i] {
				path = append([]int{i}, path...)
			}
			return append([]int{from}, path...)
		}
		for _, dep := range batches[i].GetDependsOn() {
			j := int(dep) - 1
			if _, seen := parent[j]; !seen && j >= 0 && j < len(batches) {
				parent[j] = i
				queue = append(queue, j)
			}
		}
	}
	return nil
}

// cycleText renders batch indexes, the first repeated at the end, as
// "batch 1 waits for 3, which waits for 2, which waits for 1".
func cycleText(cycle []int) string {
	parts := make([]string, len(cycle))
	for k, i := range cycle {
		parts[k] = strconv.Itoa(i + 1)
	}
	return "batch " + parts[0] + " waits for " + strings.Join(parts[1:], ", which waits for ")
}
