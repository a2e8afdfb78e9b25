package checks

import "github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"

// check is one safety check.
type check func(*Input) Result

// Checks run by family, as the API lists its categories. Resource checks
// need an opportunity; those that price it need the catalogue, whose own
// check explains their absence; those that size it need the target known.
var (
	clusterAndGroup = []check{
		UnreadyNodes, APIServer,
		Candidates, MinNodes, MinHealthy, ActiveExecution, RecentScaling, Draining,
		DisruptionsAllowed, FullyBlocking, MultipleBudgets, SingleReplica, Unreplicated, OptedOut, LocalStorage,
	}
	pricing  = []check{TargetOffering, ProvisioningCheck, MaxNodes, Savings}
	sizing   = []check{Quota, Fit}
	schedule = []check{Cooldown, MaintenanceWindow, PeakHours}
)

// All runs every check that applies to in, in a fixed order.
func All(in *Input) []Result {
	var run []check
	run = append(run, clusterAndGroup...)
	if in.Offer != nil {
		run = append(run, Catalogue)
		if in.Offer.Catalogue != nil {
			run = append(run, pricing...)
			if in.Offer.TargetSold != catalogue.Unknown {
				run = append(run, sizing...)
			}
		}
	}
	run = append(run, schedule...)
	out := make([]Result, len(run))
	for i, c := range run {
		out[i] = c(in)
	}
	return out
}
