package demo

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// createVMs is the vm mode's group: the bootstrap Secret the Executor
// renders its replacements' user data from, and the group's VMs, each
// booted with user data carrying the join token, as an operator's would
// be; it returns their providerIDs.
func createVMs(ctx context.Context, cfg Config, sb *sandbox.Sandbox, vms cloud.Provider) ([]string, error) {
	secret := fixtures.BootstrapSecret(cfg.Namespace, joinToken)
	if _, err := sb.Client.CoreV1().Secrets(cfg.Namespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("create the bootstrap Secret: %w", err)
	}
	o, err := vms.GetOffering(ctx, datacenter, current)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{v1alpha1.LabelNodeGroup: cfg.Namespace}
	ids := make([]string, 0, cfg.Nodes)
	for i := range cfg.Nodes {
		vm, err := vms.CreateVM(ctx, cloud.CreateSpec{
			Hostname: fmt.Sprintf("%s-%s-%d", cfg.Namespace, current, i), OfferingID: o.ID, Datacenter: datacenter,
			Labels: labels, UserData: vpsiesim.BootstrapUserData(joinToken, labels, nil),
		})
		if err != nil {
			return nil, fmt.Errorf("create VM: %w", err)
		}
		ids = append(ids, vm.ProviderID())
	}
	cfg.logf("%d VMs of %s ($%.2f/month each) booted with the group's user data", cfg.Nodes, current, o.MonthlyPrice)
	return ids, nil
}
