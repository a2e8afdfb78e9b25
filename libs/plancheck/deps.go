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

// reportCycles names each dependency cycle at the edge that closes it.
func reportCycles(r *report, batches []*rebalancerv1.NodeBatch) {
	const (
		unvisited = iota
		onPath
		done
	)
	state := make([]int, len(batches))
	var path []int
	var visit func(i int)
	visit = func(i int) {
		state[i] = onPath
		path = append(path, i)
		for k, dep := range batches[i].GetDependsOn() {
			j := int(dep) - 1
			if j < 0 || j >= len(batches) || j == i {
				continue
			}
			switch state[j] {
			case onPath:
				r.add(depPath(i, k), "closes a dependency cycle: %s", cycleText(path, j))
			case unvisited:
				visit(j)
			}
		}
		path = path[:len(path)-1]
		state[i] = done
	}
	for i := range batches {
		if state[i] == unvisited {
			visit(i)
		}
	}
}

// cycleText renders the cycle from batch index start to the end of path
// and back, "batch 2 waits for 3, which waits for 2".
func cycleText(path []int, start int) string {
	var from int
	for from = len(path) - 1; path[from] != start; from-- {
	}
	parts := make([]string, 0, len(path)-from+1)
	for _, i := range path[from:] {
		parts = append(parts, strconv.Itoa(i+1))
	}
	parts = append(parts, strconv.Itoa(start+1))
	return "batch " + strings.Join(parts, " waits for ")
}
