package vpsiesim

import (
	"fmt"
	"slices"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// cluster is a VPSie managed Kubernetes cluster. Its worker nodes are VMs
// of the account (they count against its quota) whose member names it.
type cluster struct {
	identifier string
	name       string
	account    *account
	dc         cloud.Datacenter
	groups     []*group
}

// group is a VPSie node group: the nodes of one size in a cluster.
type group struct {
	id       int64
	name     string
	offering catalog.Entry // ID is the managed Kubernetes size id
}

// member ties a managed node's VM to its cluster and group.
type member struct {
	cluster *cluster
	group   *group
}

// AddKubeCluster creates an empty managed cluster in the datacenter
// (identifier or name) for the default account, and returns its
// identifier, catalog.ID("cluster", name). Adding it again changes
// nothing. An unknown datacenter creates nothing and returns "".
func (s *Sim) AddKubeCluster(name, datacenter string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.ensureCluster(s.accounts[s.opts.Token], name, datacenter)
	if err != nil {
		s.opts.Logger.Error("no managed cluster added", "name", name, "error", err)
		return ""
	}
	return c.identifier
}

// AddKubeGroup adds a node group of the offering (a name such as
// "compute-4", a plan identifier, or a managed Kubernetes size id) to the
// cluster. Like VPSie it refuses (cloud.ErrInvalid) a second group of one
// size; group ids count from 1 across the simulator.
func (s *Sim) AddKubeGroup(clusterID, name, offering string) (cloud.KubeGroup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clusters[clusterID]
	if !ok {
		return cloud.KubeGroup{}, cloud.NewError(cloud.ErrNotFound, "AddKubeGroup", "no cluster %q", clusterID)
	}
	g, err := s.addGroup(c, name, offering)
	if err != nil {
		return cloud.KubeGroup{}, err
	}
	return s.kubeGroup(c, g), nil
}

// ensureCluster returns the account's cluster of this name, creating it
// when missing. The caller holds s.mu.
func (s *Sim) ensureCluster(a *account, name, datacenter string) (*cluster, error) {
	id := catalog.ID("cluster", name)
	if c, ok := s.clusters[id]; ok {
		if c.account != a {
			return nil, cloud.NewError(cloud.ErrInvalid, "AddKubeCluster", "cluster %q belongs to another account", name)
		}
		return c, nil
	}
	dc, ok := s.opts.Catalog.Datacenter(datacenter)
	if !ok {
		return nil, cloud.NewError(cloud.ErrNotFound, "AddKubeCluster", "no datacenter %q", datacenter)
	}
	c := &cluster{identifier: id, name: name, account: a, dc: dc}
	s.clusters[id] = c
	return c, nil
}

// addGroup adds a group, refusing a second one of the same size. The
// caller holds s.mu.
func (s *Sim) addGroup(c *cluster, name, offering string) (*group, error) {
	e, ok := s.opts.Catalog.KubeOffering(offering)
	if !ok {
		return nil, cloud.NewError(cloud.ErrNotFound, "AddKubeGroup", "no offering %q", offering)
	}
	if slices.ContainsFunc(c.groups, func(g *group) bool { return g.offering.ID == e.ID || g.name == name }) {
		return nil, cloud.NewError(cloud.ErrInvalid, "AddKubeGroup",
			"cluster %q already has a group named %q or of size %s", c.name, name, e.Name)
	}
	s.lastGroupID++
	g := &group{id: s.lastGroupID, name: name, offering: e}
	c.groups = append(c.groups, g)
	return g, nil
}

// ensureGroup returns the cluster's group of this name and size, adding
// it when missing: what lets two test processes set up one cluster. The
// caller holds s.mu.
func (s *Sim) ensureGroup(c *cluster, name, offering string) (*group, error) {
	e, ok := s.opts.Catalog.KubeOffering(offering)
	i := slices.IndexFunc(c.groups, func(g *group) bool { return g.name == name && g.offering.ID == e.ID })
	if ok && i >= 0 {
		return c.groups[i], nil
	}
	return s.addGroup(c, name, offering)
}

// nodes are the cluster's live worker VMs, oldest first. The caller holds s.mu.
func (s *Sim) nodes(c *cluster) []*vm {
	var out []*vm
	for _, v := range s.live(c.account) {
		if v.member != nil && v.member.cluster == c {
			out = append(out, v)
		}
	}
	return out
}

// kubeGroup is g as the cloud package names it. The caller holds s.mu.
func (s *Sim) kubeGroup(c *cluster, g *group) cloud.KubeGroup {
	n := 0
	for _, v := range s.nodes(c) {
		if v.member.group == g {
			n++
		}
	}
	return cloud.KubeGroup{ID: g.id, Name: g.name, OfferingID: g.offering.ID, Nodes: n}
}

// addNode starts a managed node in g: a VM VPSie names
// <cluster>-<group>-<5 lowercase alphanumerics>. The caller holds s.mu.
func (s *Sim) addNode(c *cluster, g *group) *vm {
	const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	suffix := make([]byte, 5)
	for i := range suffix {
		suffix[i] = alnum[s.rng.IntN(len(alnum))]
	}
	v := s.addVM(c.account, fmt.Sprintf("%s-%s-%s", c.name, g.name, suffix), g.offering, c.dc, nil)
	v.member = &member{cluster: c, group: g}
	s.scheduleBoot(v)
	return v
}
