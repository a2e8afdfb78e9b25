package cloudfake

import (
	"fmt"
	"slices"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// kubeCluster is a managed cluster held by the fake.
type kubeCluster struct {
	info   cloud.KubeCluster // Nodes unused; see nodes
	groups []cloud.KubeGroup // Nodes unused; counted from nodes
	nodes  []cloud.KubeNode
	added  map[int64]int // nodes ever added per group, for hostnames
}

// AddKubeCluster creates an empty managed cluster in datacenter
// (identifier or name) and returns its identifier, catalog.ID("cluster",
// name). Adding it again changes nothing.
func (p *Provider) AddKubeCluster(name, datacenter string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := catalog.ID("cluster", name)
	if _, ok := p.clusters[id]; ok {
		return id
	}
	dc, _ := p.catalog.Datacenter(datacenter)
	p.clusters[id] = &kubeCluster{
		info:  cloud.KubeCluster{ID: id, Name: name, DatacenterID: dc.ID},
		added: map[int64]int{},
	}
	return id
}

// AddKubeGroup adds a VPSie node group of the offering (a name such as
// "compute-4", or a Kubernetes size id) to the cluster. Like VPSie it
// refuses a second group of one size (ErrInvalid), and a second group of
// one name; numeric ids count from 1 across the fake.
func (p *Provider) AddKubeGroup(cluster, name, offering string) (cloud.KubeGroup, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.cluster(cluster, "AddKubeGroup")
	if err != nil {
		return cloud.KubeGroup{}, err
	}
	e, ok := p.catalog.KubeOffering(offering)
	if !ok {
		return cloud.KubeGroup{}, cloud.NewError(cloud.ErrNotFound, "AddKubeGroup", "no offering %q", offering)
	}
	if slices.ContainsFunc(c.groups, func(g cloud.KubeGroup) bool { return g.OfferingID == e.ID || g.Name == name }) {
		return cloud.KubeGroup{}, cloud.NewError(cloud.ErrInvalid, "AddKubeGroup",
			"cluster %q already has a group named %q or of size %s", cluster, name, e.Name)
	}
	p.nextGroupID++
	g := cloud.KubeGroup{ID: p.nextGroupID, Name: name, OfferingID: e.ID}
	c.groups = append(c.groups, g)
	return g, nil
}

// KubeNodes returns the cluster's nodes, oldest first; nil for an unknown
// cluster.
func (p *Provider) KubeNodes(cluster string) []cloud.KubeNode {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clusters[cluster]; ok {
		return slices.Clone(c.nodes)
	}
	return nil
}

// cluster finds a cluster by identifier. The caller holds p.mu.
func (p *Provider) cluster(id, op string) (*kubeCluster, error) {
	if c, ok := p.clusters[id]; ok {
		return c, nil
	}
	return nil, cloud.NewError(cloud.ErrNotFound, op, "no cluster %q", id)
}

// group finds a cluster's group by numeric id.
func (c *kubeCluster) group(id int64) (cloud.KubeGroup, bool) {
	i := slices.IndexFunc(c.groups, func(g cloud.KubeGroup) bool { return g.ID == id })
	if i < 0 {
		return cloud.KubeGroup{}, false
	}
	return c.groups[i], true
}

// nextHostname names the group's next node as VPSie would:
// <cluster>-<group>-<n>.
func (c *kubeCluster) nextHostname(g cloud.KubeGroup) string {
	c.added[g.ID]++
	return fmt.Sprintf("%s-%s-%d", c.info.Name, g.Name, c.added[g.ID])
}

// snapshot is the cluster as GetKubeCluster answers it.
func (c *kubeCluster) snapshot() cloud.KubeCluster {
	out := c.info
	out.Nodes = slices.Clone(c.nodes)
	return out
}

// groupsNow are the groups with their current node counts.
func (c *kubeCluster) groupsNow() []cloud.KubeGroup {
	out := slices.Clone(c.groups)
	for i := range out {
		for _, n := range c.nodes {
			if n.GroupID == out[i].ID {
				out[i].Nodes++
			}
		}
	}
	return out
}
