package cloudfake

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// ListKubeOffers implements cloud.ManagedKubernetes: the catalogue's
// offerings sold in datacenter, under their numeric Kubernetes ids.
func (p *Provider) ListKubeOffers(ctx context.Context, datacenter string) ([]cloud.Offering, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpListKubeOffers, datacenter); err != nil {
		return nil, err
	}
	dc, ok := p.catalog.Datacenter(datacenter)
	if !ok {
		return nil, cloud.NewError(cloud.ErrNotFound, "ListKubeOffers", "no datacenter %q", datacenter)
	}
	return p.catalog.KubeOffers(dc.ID), nil
}

// GetKubeCluster implements cloud.ManagedKubernetes.
func (p *Provider) GetKubeCluster(ctx context.Context, cluster string) (cloud.KubeCluster, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpGetKubeCluster, cluster); err != nil {
		return cloud.KubeCluster{}, err
	}
	c, err := p.cluster(cluster, "GetKubeCluster")
	if err != nil {
		return cloud.KubeCluster{}, err
	}
	return c.snapshot(), nil
}

// ListKubeGroups implements cloud.ManagedKubernetes.
func (p *Provider) ListKubeGroups(ctx context.Context, cluster string) ([]cloud.KubeGroup, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpListKubeGroups, cluster); err != nil {
		return nil, err
	}
	c, err := p.cluster(cluster, "ListKubeGroups")
	if err != nil {
		return nil, err
	}
	return c.groupsNow(), nil
}

// KubeNodeArgs is the argument AddKubeNode records.
type KubeNodeArgs struct {
	Cluster string
	Group   int64
}

// AddKubeNode implements cloud.ManagedKubernetes: the node is listed at
// once, under a fresh identifier; it counts against the quota.
func (p *Provider) AddKubeNode(ctx context.Context, cluster string, group int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpAddKubeNode, KubeNodeArgs{Cluster: cluster, Group: group}); err != nil {
		return err
	}
	c, err := p.cluster(cluster, "AddKubeNode")
	if err != nil {
		return err
	}
	g, ok := c.group(group)
	if !ok {
		return cloud.NewError(cloud.ErrNotFound, "AddKubeNode", "no group %d in cluster %q", group, cluster)
	}
	e, _ := p.catalog.KubeOffering(g.OfferingID)
	if !p.quotaNow().Allows(e.Offering) {
		return cloud.NewError(cloud.ErrQuotaExceeded, "AddKubeNode", "no room for %s", e.Name)
	}
	p.nextNumeric++
	c.nodes = append(c.nodes, cloud.KubeNode{
		ID: uuid.NewString(), NumericID: p.nextNumeric, Hostname: c.nextHostname(g), GroupID: g.ID, CreatedAt: p.now(),
	})
	return nil
}

// KubeNodeRef is the argument DeleteKubeNode records.
type KubeNodeRef struct {
	Cluster string
	Node    string
}

// DeleteKubeNode implements cloud.ManagedKubernetes; deleting a node
// already gone succeeds.
func (p *Provider) DeleteKubeNode(ctx context.Context, cluster, node string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpDeleteKubeNode, KubeNodeRef{Cluster: cluster, Node: node}); err != nil {
		return err
	}
	c, err := p.cluster(cluster, "DeleteKubeNode")
	if err != nil {
		return err
	}
	c.nodes = slices.DeleteFunc(c.nodes, func(n cloud.KubeNode) bool { return n.ID == node })
	return nil
}

// kubeUse is what the managed nodes take from the quota. The caller holds p.mu.
func (p *Provider) kubeUse() (vms, cpu, ramMB int) {
	for _, c := range p.clusters {
		for _, n := range c.nodes {
			g, _ := c.group(n.GroupID)
			e, _ := p.catalog.KubeOffering(g.OfferingID)
			vms, cpu, ramMB = vms+1, cpu+e.CPU, ramMB+e.RAMMB
		}
	}
	return vms, cpu, ramMB
}
