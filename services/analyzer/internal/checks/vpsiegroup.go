package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// vpsieGroup (managed mode) fails when the cluster does not exist or has
// no VPSie node group of the target's size: VPSie adds a managed node to
// a group, and the group fixes its size.
//
// A missing group is a REJECT, not a group the rebalancer creates:
// creating a VPSie node group changes the cluster (a new pool VPSie bills
// and scales), which an operator should approve, and the public sources
// disagree on that call's method, so it is the operator's, in the VPSie
// console. Alternatives without a group are left out of the analysis's
// opportunity (see AlternativesWithGroup), so no plan falls back to them.
func vpsieGroup(in *Input) Result {
	p, o := in.Provisioning, in.Offer
	cluster, target := p.Spec.ClusterID, o.Opportunity.GetTargetOffering()
	if p.GroupsErr != nil {
		return clusterUnreadable(cluster, p.GroupsErr)
	}
	g, ok := in.VPSieGroup(target)
	if !ok {
		return failed(resources, NameProvisioning, fmt.Sprintf(
			"no VPSie node group of size %s in cluster %s; create one in the VPSie console", target, cluster),
			map[string]string{"clusterID": cluster, "missingGroupSize": target}, false)
	}
	details := map[string]string{"clusterID": cluster, "vpsieGroup": g.Name, "vpsieGroupID": fmt.Sprint(g.ID)}
	msg := fmt.Sprintf("replacements join VPSie node group %s (id %d) of size %s in cluster %s", g.Name, g.ID, target, cluster)
	if left := alternativesWithoutGroup(in); len(left) > 0 {
		details["alternativesWithoutGroup"] = strings.Join(left, ",")
		msg += fmt.Sprintf("; no fallback to %s, which no VPSie node group of the cluster runs", strings.Join(left, ", "))
	}
	return passed(resources, NameProvisioning, msg, details)
}

// clusterUnreadable fails for a cluster VPSie does not know (REJECT: the
// group names the wrong cluster) or could not list now (POSTPONE when
// retrying may help).
func clusterUnreadable(cluster string, err error) Result {
	details := map[string]string{"clusterID": cluster}
	if cloud.IsNotFound(err) {
		return failed(resources, NameProvisioning, fmt.Sprintf(
			"no VPSie Managed Kubernetes cluster %s (spec.provisioning.clusterID)", cluster), details, false)
	}
	wait := cloud.IsRetryable(err) || errors.Is(err, context.DeadlineExceeded)
	return failed(resources, NameProvisioning, fmt.Sprintf(
		"could not list the VPSie node groups of cluster %s: %v", cluster, err), details, wait)
}

// VPSieGroup is the managed cluster's VPSie node group whose size is the
// offering (a name or a Kubernetes size id), among the sizes sold in the
// group's datacenter; false when there is none or nothing is loaded.
func (in *Input) VPSieGroup(offering string) (cloud.KubeGroup, bool) {
	if in.Provisioning == nil || in.Offer == nil || in.Offer.Catalogue == nil {
		return cloud.KubeGroup{}, false
	}
	return cloud.GroupOfSize(in.Provisioning.Groups, in.Offer.Catalogue.KubeOffers(in.Offer.Datacenter), offering)
}

// AlternativesWithGroup are the opportunity's alternatives a managed
// group may fall back to: those of a size some VPSie node group of the
// cluster runs. Other modes, or a managed group whose groups are not
// known, keep them all.
func AlternativesWithGroup(in *Input) []string {
	if !in.knowsGroups() {
		return in.Offer.Opportunity.GetAlternativeOfferings()
	}
	var out []string
	for _, alt := range in.Offer.Opportunity.GetAlternativeOfferings() {
		if _, ok := in.VPSieGroup(alt); ok {
			out = append(out, alt)
		}
	}
	return out
}

// alternativesWithoutGroup are the alternatives AlternativesWithGroup
// leaves out.
func alternativesWithoutGroup(in *Input) []string {
	var out []string
	for _, alt := range in.Offer.Opportunity.GetAlternativeOfferings() {
		if _, ok := in.VPSieGroup(alt); !ok {
			out = append(out, alt)
		}
	}
	return out
}

// knowsGroups: a managed group whose VPSie groups and sizes were read.
func (in *Input) knowsGroups() bool {
	p := in.Provisioning
	return p != nil && p.Spec.Mode == v1alpha1.ProvisioningManaged && p.GroupsErr == nil && in.Offer != nil && in.Offer.Catalogue != nil
}
