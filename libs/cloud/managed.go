package cloud

import (
	"context"
	"slices"
	"time"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// ManagedKubernetes is VPSie Managed Kubernetes: clusters whose nodes VPSie
// adds and deletes itself, one VPSie node group per node size.
//
// A node is added to a VPSie group, never created as a bare VM: VPSie
// boots it and joins it to the cluster. The add call answers without
// naming the node, so callers find it when it registers (see
// KubeNodesAddedSince). VPSie refuses two groups of one size in a cluster,
// so a size names at most one group.
type ManagedKubernetes interface {
	// ListKubeOffers lists the node sizes sold for managed clusters in
	// datacenter, with their monthly prices, cheapest first. Offering.ID
	// is the size's numeric id as a string (a group's OfferingID).
	// Errors: ErrNotFound (no such datacenter).
	ListKubeOffers(ctx context.Context, datacenter string) ([]Offering, error)
	// GetKubeCluster returns the cluster and its nodes.
	// Errors: ErrNotFound (no such cluster).
	GetKubeCluster(ctx context.Context, cluster string) (KubeCluster, error)
	// ListKubeGroups lists the cluster's VPSie node groups.
	// Errors: ErrNotFound (no such cluster).
	ListKubeGroups(ctx context.Context, cluster string) ([]KubeGroup, error)
	// AddKubeNode asks VPSie for one more node in the group. It is NOT
	// idempotent and names nothing: a retry after an ambiguous failure may
	// add a second node, so callers look for the node first (see
	// KubeNodesAddedSince).
	// Errors: ErrNotFound (no such cluster or group), ErrQuotaExceeded.
	AddKubeNode(ctx context.Context, cluster string, group int64) error
	// DeleteKubeNode removes the node (its identifier) from the cluster
	// and deletes its VM. Deleting a node already gone succeeds.
	// Errors: ErrNotFound (no such cluster).
	DeleteKubeNode(ctx context.Context, cluster, node string) error
}

// KubeCluster is a managed cluster as VPSie lists it.
type KubeCluster struct {
	ID           string // the cluster's identifier (a UUID)
	Name         string
	DatacenterID string
	Nodes        []KubeNode
}

// KubeGroup is a VPSie node group: the nodes of one size in a cluster.
type KubeGroup struct {
	ID         int64  // numeric; AddKubeNode takes it
	Name       string // group_name
	OfferingID string // the size (boxsize_id), an Offering.ID of ListKubeOffers
	Nodes      int    // nodes_count
}

// KubeNode is a node of a managed cluster as VPSie lists it.
type KubeNode struct {
	ID        string // the node's identifier (a UUID); DeleteKubeNode takes it
	NumericID int64
	Hostname  string // VPSie's choice, the Node's name
	GroupID   int64  // the VPSie group it belongs to
	CreatedAt time.Time
}

// ProviderID is the Node.spec.providerID VPSie's cloud controller sets on
// this node's Node.
func (n KubeNode) ProviderID() string { return v1alpha1.ProviderID(n.ID) }

// GroupOfSize returns the cluster's group whose size is the offer named
// offering, and whether there is one.
func GroupOfSize(groups []KubeGroup, offers []Offering, offering string) (KubeGroup, bool) {
	i := slices.IndexFunc(offers, func(o Offering) bool { return o.Name == offering || o.ID == offering })
	if i < 0 {
		return KubeGroup{}, false
	}
	j := slices.IndexFunc(groups, func(g KubeGroup) bool { return g.OfferingID == offers[i].ID })
	if j < 0 {
		return KubeGroup{}, false
	}
	return groups[j], true
}

// KubeNodesAddedSince are the group's nodes whose identifiers are not in
// known: the nodes added after known was listed.
func KubeNodesAddedSince(c KubeCluster, group int64, known []string) []KubeNode {
	var added []KubeNode
	for _, n := range c.Nodes {
		if n.GroupID == group && !slices.Contains(known, n.ID) {
			added = append(added, n)
		}
	}
	return added
}
