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
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// groupVMs lists the simulator's live VMs carrying the group's label.
func groupVMs(ctx context.Context, c cloud.VMs, group string) ([]cloud.VM, error) {
	all, err := c.ListVMs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list VMs: %w", err)
	}
	var vms []cloud.VM
	for _, vm := range all {
		if vm.Labels[v1alpha1.LabelNodeGroup] == group {
			vms = append(vms, vm)
		}
	}
	return vms, nil
}

// priceFleet prices VMs by the offering of their size. A VM lists its
// size, not its plan, so the size is matched against the catalogue; the
// demo's offerings all differ in size.
func priceFleet(ctx context.Context, c cloud.Catalogue, vms []cloud.VM) (fleet, error) {
	offerings, err := c.ListOfferings(ctx, datacenter)
	if err != nil {
		return fleet{}, fmt.Errorf("list offerings: %w", err)
	}
	f := fleet{byOffering: map[string]int{}}
	for _, vm := range vms {
		i := slices.IndexFunc(offerings, func(o cloud.Offering) bool {
			return o.CPU == vm.CPU && o.RAMMB == vm.RAMMB && o.DiskGB == vm.DiskGB
		})
		if i < 0 {
			return fleet{}, fmt.Errorf("VM %s: no offering of %d vCPU, %d MB, %d GB", vm.Hostname, vm.CPU, vm.RAMMB, vm.DiskGB)
		}
		f.byOffering[offerings[i].Name]++
		f.monthlyCents += int64(math.Round(offerings[i].MonthlyPrice * 100))
	}
	return f, nil
}

// orphans counts the group's VMs that are not a Ready node of the group:
// each one bills without carrying pods.
func orphans(ctx context.Context, sb *sandbox.Sandbox, vms []cloud.VM, group string) (int, error) {
	list, err := sb.Client.CoreV1().Nodes().List(ctx, v1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + group})
	if err != nil {
		return 0, err
	}
	ready := map[string]bool{}
	for i := range list.Items {
		ready[list.Items[i].Spec.ProviderID] = fixtures.NodeReady(&list.Items[i])
	}
	n := 0
	for _, vm := range vms {
		if !ready[vm.ProviderID()] {
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
