package demo

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// machine is one VM billing for the group: the Node it is (by
// providerID), its offering and its monthly price in cents.
type machine struct {
	hostname, providerID, offering string
	monthlyCents                   int64
}

// groupMachines lists what VPSie bills for the group now: the managed
// cluster's nodes, or the VMs carrying the group's label.
func groupMachines(ctx context.Context, cfg Config, c *vpsie.Client) ([]machine, error) {
	if cfg.Mode == ModeManaged {
		return clusterMachines(ctx, c, catalog.ID("cluster", cfg.Namespace))
	}
	return vmMachines(ctx, c, cfg.Namespace)
}

// clusterMachines prices the cluster's nodes by their group's size, at
// the Kubernetes offers' prices.
func clusterMachines(ctx context.Context, c *vpsie.Client, cluster string) ([]machine, error) {
	kc, err := c.GetKubeCluster(ctx, cluster)
	if err != nil {
		return nil, fmt.Errorf("list cluster %s: %w", cluster, err)
	}
	groups, err := c.ListKubeGroups(ctx, cluster)
	if err != nil {
		return nil, err
	}
	offers, err := c.ListKubeOffers(ctx, datacenter)
	if err != nil {
		return nil, err
	}
	out := make([]machine, 0, len(kc.Nodes))
	for _, kn := range kc.Nodes {
		o, ok := offerOfGroup(groups, offers, kn.GroupID)
		if !ok {
			return nil, fmt.Errorf("node %s: no offer for its VPSie group %d", kn.Hostname, kn.GroupID)
		}
		out = append(out, machine{hostname: kn.Hostname, providerID: kn.ProviderID(), offering: o.Name,
			monthlyCents: int64(math.Round(o.MonthlyPrice * 100))})
	}
	return out, nil
}

func offerOfGroup(groups []cloud.KubeGroup, offers []cloud.Offering, id int64) (cloud.Offering, bool) {
	i := slices.IndexFunc(groups, func(g cloud.KubeGroup) bool { return g.ID == id })
	if i < 0 {
		return cloud.Offering{}, false
	}
	j := slices.IndexFunc(offers, func(o cloud.Offering) bool { return o.ID == groups[i].OfferingID })
	if j < 0 {
		return cloud.Offering{}, false
	}
	return offers[j], true
}

// vmMachines prices the group's VMs by the offering of their size. A VM
// lists its size, not its plan, so the size is matched against the
// catalogue; the demo's offerings all differ in size.
func vmMachines(ctx context.Context, c *vpsie.Client, group string) ([]machine, error) {
	all, err := c.ListVMs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list VMs: %w", err)
	}
	offerings, err := c.ListOfferings(ctx, datacenter)
	if err != nil {
		return nil, fmt.Errorf("list offerings: %w", err)
	}
	var out []machine
	for _, vm := range all {
		if vm.Labels[v1alpha1.LabelNodeGroup] != group {
			continue
		}
		i := slices.IndexFunc(offerings, func(o cloud.Offering) bool {
			return o.CPU == vm.CPU && o.RAMMB == vm.RAMMB && o.DiskGB == vm.DiskGB
		})
		if i < 0 {
			return nil, fmt.Errorf("VM %s: no offering of %d vCPU, %d MB, %d GB", vm.Hostname, vm.CPU, vm.RAMMB, vm.DiskGB)
		}
		out = append(out, machine{hostname: vm.Hostname, providerID: vm.ProviderID(), offering: offerings[i].Name,
			monthlyCents: int64(math.Round(offerings[i].MonthlyPrice * 100))})
	}
	return out, nil
}

// priceFleet counts machines by offering and adds their prices.
func priceFleet(ms []machine) fleet {
	f := fleet{byOffering: map[string]int{}}
	for _, m := range ms {
		f.byOffering[m.offering]++
		f.monthlyCents += m.monthlyCents
	}
	return f
}

// orphans counts the group's machines that are not a Ready node of the
// group: each one bills without carrying pods.
func orphans(ctx context.Context, sb *sandbox.Sandbox, ms []machine, group string) (int, error) {
	list, err := sb.Client.CoreV1().Nodes().List(ctx, v1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + group})
	if err != nil {
		return 0, err
	}
	ready := map[string]bool{}
	for i := range list.Items {
		ready[list.Items[i].Spec.ProviderID] = fixtures.NodeReady(&list.Items[i])
	}
	n := 0
	for _, m := range ms {
		if !ready[m.providerID] {
			n++
		}
	}
	return n, nil
}

// sortByCount orders names by count, most first, then by name.
func sortByCount(names []string, count map[string]int) {
	slices.SortFunc(names, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
}
