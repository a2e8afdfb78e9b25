// Package plancheck holds the rules a rebalance plan must keep before
// anything may execute it. The Planner's ValidatePlan answers with them and
// the Executor applies them when it accepts a plan, so a plan edited by hand
// is held to exactly what a planned one is.
package plancheck

import (
	"fmt"
	"strconv"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Violation is one rule a plan breaks, at the path of the offending field,
// e.g. "plan.batches[2].nodes[0].node_name".
type Violation struct {
	Field       string
	Description string
}

// Check returns every rule p breaks; none means p may be executed.
func Check(p *rebalancerv1.RebalancePlan) []Violation {
	if p == nil {
		return []Violation{{Field: "plan", Description: "is required"}}
	}
	r := &report{}
	checkHeader(r, p)
	if n := len(p.GetBatches()); n > maxBatches {
		r.add("plan.batches", "holds %d batches, more than %d: a group has at most %d nodes, in up to three phases", n, maxBatches, maxGroupNodes)
		return r.list
	}
	nodes := checkNodes(r, p)
	if g, ok := checkDependencies(r, p); ok {
		checkLimits(r, p, g, nodes)
		checkOrder(r, p, g, nodes)
		checkSoaks(r, p)
		checkFloor(r, p, g, nodes)
	}
	checkRollback(r, p, nodes)
	checkID(r, p)
	return r.list
}

// maxGroupNodes is the NodeGroup CRD's ceiling on maxNodes. A plan has at
// most three batches per node (blue-green), which bounds the work of the
// schedule rules (their closure is batches² bits) on a hostile plan.
const (
	maxGroupNodes = 1000
	maxBatches    = 3 * maxGroupNodes
)

// MaxGroupNodes and MaxBatches are those bounds, for the request caps of
// libs/apivalidate, so a request is never refused by one and let through
// by the other.
const (
	MaxGroupNodes = maxGroupNodes
	MaxBatches    = maxBatches
)

// report collects violations in the order they are found.
type report struct {
	list []Violation
}

func (r *report) add(field, format string, args ...any) {
	r.list = append(r.list, Violation{Field: field, Description: fmt.Sprintf(format, args...)})
}

func batchPath(i int) string { return "plan.batches[" + strconv.Itoa(i) + "]" }

func nodePath(i, j int) string { return batchPath(i) + ".nodes[" + strconv.Itoa(j) + "]" }

func depPath(i, k int) string { return batchPath(i) + ".depends_on[" + strconv.Itoa(k) + "]" }

// MinHealthyNodes is the capacity floor: ceil(percent × groupSize / 100),
// the Ready, schedulable nodes a group keeps at every moment.
func MinHealthyNodes(percent, groupSize int32) int32 {
	return int32((int64(percent)*int64(groupSize) + 99) / 100)
}
