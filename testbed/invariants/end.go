package invariants

import (
	"context"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/kube"
)

// checkEnd checks what must hold once the rebalance ended: every VM of the
// group is a Ready member, every replaced node is gone as Node and VM, and
// no group node is left cordoned or carrying the rebalancer's marks.
func (m *Monitor) checkEnd(ctx context.Context) {
	present := map[string]*corev1.Node{}
	byVM := map[string]*corev1.Node{}
	for _, obj := range m.nodes.GetStore().List() {
		n := obj.(*corev1.Node)
		present[n.Name] = n
		if id, ok := v1alpha1.VMIdentifier(n.Spec.ProviderID); ok {
			byVM[id] = n
		}
		m.checkMarks(n)
	}
	machines, err := m.machines(ctx)
	if err != nil {
		m.violate("no orphans", "cannot list VMs: %v", err)
		return
	}
	if machines == nil {
		return
	}
	live := map[string]bool{}
	for _, vm := range machines {
		live[vm.id] = true
		if !vm.ofGroup {
			continue
		}
		if n := byVM[vm.id]; n == nil || !kube.NodeReady(n) {
			m.violate("no orphans", "VM %s (%s) of group %s is not a Ready member", vm.hostname, vm.id, m.cfg.Group)
		}
	}
	for _, old := range m.cfg.OldNodes {
		_, nodeThere := present[old]
		vmThere := live[m.oldVMs[old]]
		if nodeThere != vmThere {
			m.violate("no orphans", "old node %s: Node present %t but VM %s present %t; a replaced node goes as both", old, nodeThere, m.oldVMs[old], vmThere)
		}
	}
}

// checkMarks reports a node left cordoned or marked by the rebalancer.
func (m *Monitor) checkMarks(n *corev1.Node) {
	if n.Spec.Unschedulable {
		m.violate("no stranded cordons", "node %s is still cordoned", n.Name)
	}
	if slices.ContainsFunc(n.Spec.Taints, func(t corev1.Taint) bool { return strings.HasPrefix(t.Key, TaintPrefix) }) {
		m.violate("no stranded cordons", "node %s still carries a rebalancer taint", n.Name)
	}
	if _, ok := n.Labels["node.kubernetes.io/exclude-from-external-load-balancers"]; ok {
		m.violate("no stranded cordons", "node %s is still excluded from external load balancers", n.Name)
	}
}

// machine is a VM billing for the group, as VPSie lists it.
type machine struct {
	id, hostname string
	ofGroup      bool
}

// machines lists the cloud's machines: the managed cluster's nodes, all
// of the group (the cluster is the test's own), or the plain VMs, of the
// group when labelled so; nil when the monitor was given neither.
func (m *Monitor) machines(ctx context.Context) ([]machine, error) {
	if c := m.cfg.Cluster; c != nil {
		cluster, err := c.API.GetKubeCluster(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out := make([]machine, 0, len(cluster.Nodes))
		for _, kn := range cluster.Nodes {
			out = append(out, machine{id: kn.ID, hostname: kn.Hostname, ofGroup: true})
		}
		return out, nil
	}
	if m.cfg.VMs == nil {
		return nil, nil
	}
	vms, err := m.cfg.VMs.ListVMs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]machine, 0, len(vms))
	for _, vm := range vms {
		out = append(out, machine{id: vm.ID, hostname: vm.Hostname, ofGroup: vm.Labels[v1alpha1.LabelNodeGroup] == m.cfg.Group})
	}
	return out, nil
}
