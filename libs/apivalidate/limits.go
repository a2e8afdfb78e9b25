package apivalidate

import "github.com/vpsie/node-rebalancer/libs/plancheck"

// Caps on the lengths of a request's lists. A request above one is refused
// whole (InvalidArgument naming the field and the cap) before any of its
// entries is looked at, so an oversized request costs no more than reading
// it, and nothing of it is acted on.
const (
	// MaxNodes bounds every list of nodes: a NodeGroup holds at most 1,000
	// (the CRD's ceiling on maxNodes), as libs/plancheck also holds plans to.
	MaxNodes = plancheck.MaxGroupNodes
	// MaxNodeNames bounds ValidateRebalanceSafety's node_names.
	MaxNodeNames = MaxNodes
	// MaxCandidateNodes bounds an analysis' candidate_nodes.
	MaxCandidateNodes = MaxNodes
	// MaxNodesPerBatch bounds the nodes of one batch of a plan.
	MaxNodesPerBatch = MaxNodes
	// MaxBatches bounds a plan's batches: a blue-green plan of batches of
	// one node has one PROVISION, one DRAIN and one TERMINATE batch a node.
	MaxBatches = plancheck.MaxBatches
	// MaxSafetyChecks bounds an analysis' safety_checks and a plan's
	// failed_checks: the Analyzer runs a few dozen checks.
	MaxSafetyChecks = 100
	// MaxPageSize bounds ListExecutions' page_size.
	MaxPageSize = 1000
)

// fits reports whether a list of n entries is within limit; when not, it
// refuses the field naming the cap, and the caller skips its entries.
func (v *violations) fits(field string, n, limit int) bool {
	if n <= limit {
		return true
	}
	v.add(field, "holds %d entries, above the cap of %d", n, limit)
	return false
}
