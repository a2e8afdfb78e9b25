package output

import (
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Provisioning says in one line where an analysis found the replacements
// would come from: in the managed mode the VPSie node group they would
// join (or that there is none of the target's size) and its cluster.
func Provisioning(p *rebalancerv1.Provisioning) string {
	switch p.GetMode() {
	case rebalancerv1.ProvisioningMode_PROVISIONING_MODE_MANAGED:
		if p.GetVpsieGroup() == "" {
			return fmt.Sprintf("managed, cluster %s: no VPSie group of the target size", p.GetClusterId())
		}
		return fmt.Sprintf("managed, VPSie group %s (id %d), cluster %s", p.GetVpsieGroup(), p.GetVpsieGroupId(), p.GetClusterId())
	case rebalancerv1.ProvisioningMode_PROVISIONING_MODE_VM:
		return "vm, booted with the group's user data"
	}
	return "-" // an Analyzer older than the provisioning modes
}
