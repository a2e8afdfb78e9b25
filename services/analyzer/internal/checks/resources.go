package checks

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"
)

const resources = rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_RESOURCE_AVAILABILITY

// Names of the resource availability checks.
const (
	NameCatalogue      = "resources.catalogue"
	NameTargetOffering = "resources.target_offering"
	NameQuota          = "resources.quota"
	NameMaxNodes       = "resources.max_nodes"
	NameFit            = "resources.fit"
)

// Catalogue fails until a catalogue is loaded, and warns when the one in
// use is older than the limit because refreshes fail.
func Catalogue(in *Input) Result {
	o := in.Offer
	if o.Catalogue == nil {
		msg := "no VPSie catalogue loaded yet"
		if o.CatalogueErr != nil && !errors.Is(o.CatalogueErr, catalogue.ErrNotLoaded) {
			msg += ": " + o.CatalogueErr.Error()
		}
		return failed(resources, NameCatalogue, msg, nil, true)
	}
	details := map[string]string{"age": o.Age.Round(time.Second).String(),
		"fetchedAt": o.Catalogue.FetchedAt.UTC().Format(time.RFC3339)}
	if o.Age > in.MaxCatalogueAge {
		msg := fmt.Sprintf("prices are from a VPSie catalogue %s old, over the %s limit", o.Age.Round(time.Second), in.MaxCatalogueAge)
		if o.CatalogueErr != nil {
			msg += "; the last refresh failed: " + o.CatalogueErr.Error()
		}
		return warning(resources, NameCatalogue, msg, details)
	}
	return passed(resources, NameCatalogue, fmt.Sprintf("VPSie catalogue %s old", o.Age.Round(time.Second)), details)
}

// TargetOffering fails when the target cannot be ordered in the group's
// datacenter now, naming the alternatives that can.
func TargetOffering(in *Input) Result {
	o := in.Offer
	target, dc := o.Opportunity.GetTargetOffering(), o.Datacenter
	if _, ok := o.Catalogue.Datacenter(dc); !ok {
		return failed(resources, NameTargetOffering, fmt.Sprintf("the group's datacenter %q is not in the VPSie catalogue", dc), nil, false)
	}
	switch o.TargetSold {
	case catalogue.Available:
		return passed(resources, NameTargetOffering, fmt.Sprintf("%s is sold in %s", describeOffering(o.Target), dc),
			map[string]string{"offeringID": o.Target.ID})
	case catalogue.Elsewhere:
		msg := fmt.Sprintf("offering %s is not available in datacenter %s now", target, dc)
		if alts := availableAlternatives(o); len(alts) > 0 {
			msg += "; available alternatives: " + strings.Join(alts, ", ")
		}
		return failed(resources, NameTargetOffering, msg, nil, false)
	}
	return failed(resources, NameTargetOffering, fmt.Sprintf("no offering %s in the %s", target, o.priceList()), nil, false)
}

func availableAlternatives(o *Offer) []string {
	var out []string
	for _, alt := range o.Opportunity.GetAlternativeOfferings() {
		if _, sold := o.Find(alt); sold == catalogue.Available {
			out = append(out, alt)
		}
	}
	return out
}

// surgeSize is how many replacements exist beside their old nodes at once
// under the policy, as the Planner lays batches out: a rolling batch, the
// surge lanes, or the whole green set.
func surgeSize(p *rebalancerv1.RebalancePolicy, candidates int) int {
	switch p.GetStrategy() {
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN:
		return candidates
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE:
		return min(int(p.GetMaxConcurrent()), int(p.GetMaxSurge()), candidates)
	default:
		return min(int(p.GetBatchSize()), int(p.GetMaxConcurrent()), candidates)
	}
}

// Quota fails when the account's quota cannot hold the replacements that
// exist at once, and warns when the quota could not be read.
func Quota(in *Input) Result {
	o := in.Offer
	need := surgeSize(in.Policy, len(in.candidates()))
	q := o.Catalogue.Quota
	if q == nil {
		return warning(resources, NameQuota, fmt.Sprintf("the account's quota is unknown (%v); the rebalance needs %d more VMs at once",
			o.Catalogue.QuotaErr, need), nil)
	}
	details := map[string]string{"need": fmt.Sprint(need),
		"vms": fmt.Sprintf("%d/%d", q.UsedVMs, q.MaxVMs), "cpu": fmt.Sprintf("%d/%d", q.UsedCPU, q.MaxCPU),
		"ramMB": fmt.Sprintf("%d/%d", q.UsedRAMMB, q.MaxRAMMB)}
	if room := quotaRoom(*q, o.Target); room < need {
		return failed(resources, NameQuota, fmt.Sprintf(
			"the account's quota has room for %d more %s VMs, the rebalance needs %d at once (VMs %d/%d, vCPU %d/%d, RAM %d/%d MB)",
			room, o.Target.Name, need, q.UsedVMs, q.MaxVMs, q.UsedCPU, q.MaxCPU, q.UsedRAMMB, q.MaxRAMMB), details, false)
	}
	return passed(resources, NameQuota, fmt.Sprintf("the quota has room for the %d %s VMs needed at once", need, o.Target.Name), details)
}

// quotaRoom is how many more VMs of offering o the quota allows.
func quotaRoom(q cloud.Quota, o cloud.Offering) int {
	room := q.MaxVMs - q.UsedVMs
	if o.CPU > 0 {
		room = min(room, (q.MaxCPU-q.UsedCPU)/o.CPU)
	}
	if o.RAMMB > 0 {
		room = min(room, (q.MaxRAMMB-q.UsedRAMMB)/o.RAMMB)
	}
	return max(room, 0)
}

// MaxNodes fails when the surge would take the group above maxNodes,
// which counts surge nodes too.
func MaxNodes(in *Input) Result {
	need := surgeSize(in.Policy, len(in.candidates()))
	size, ceiling := len(in.Members), int(in.Group.Spec.MaxNodes)
	details := map[string]string{"nodes": fmt.Sprint(size), "surge": fmt.Sprint(need), "maxNodes": fmt.Sprint(ceiling)}
	if size+need > ceiling {
		return failed(resources, NameMaxNodes, fmt.Sprintf(
			"the group's %d nodes plus %d replacements at once exceed its maxNodes of %d", size, need, ceiling), details, false)
	}
	return passed(resources, NameMaxNodes, fmt.Sprintf("%d nodes plus %d at once stay within maxNodes %d", size, need, ceiling), details)
}
