package vpsie

import (
	"strconv"
	"strings"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// workerNodeType is the node_type of a worker ("slave") in a cluster's
// node list. ASSUMPTION (govpsie types the field as a bare int): 1 is a
// control-plane ("master") node and 2 a worker; masters are never ours to
// replace, so only workers are listed. Change this constant if VPSie
// numbers them otherwise.
const workerNodeType = 2

// kubeOfferData is an entry of POST /apps/v2/k8s/offers; price is monthly.
type kubeOfferData struct {
	ID          flexInt    `json:"id"`
	Name        flexString `json:"name"`
	CPU         flexInt    `json:"cpu"`
	RAM         flexInt    `json:"ram"`
	Disk        flexInt    `json:"disk"`
	Price       flexFloat  `json:"price"`
	HourlyPrice flexFloat  `json:"hourly_price"`
}

func (o kubeOfferData) toOffering() cloud.Offering {
	return cloud.Offering{
		ID: strconv.FormatInt(int64(o.ID), 10), Name: strings.TrimSpace(string(o.Name)),
		CPU: int(o.CPU), RAMMB: int(o.RAM), DiskGB: int(o.Disk), MonthlyPrice: float64(o.Price),
	}
}

// kubeClusterData is the data of GET /apps/v2/k8s/cluster/byId/{uuid}.
type kubeClusterData struct {
	Identifier   string         `json:"identifier"`
	ClusterName  flexString     `json:"cluster_name"`
	DCIdentifier flexString     `json:"dcIdentifier"`
	Nodes        []kubeNodeData `json:"nodes"`
}

// kubeNodeData is one node of a cluster.
type kubeNodeData struct {
	ID         flexInt    `json:"id"`
	Identifier string     `json:"identifier"`
	Hostname   flexString `json:"hostname"`
	GroupID    flexInt    `json:"group_id"`
	NodeType   flexInt    `json:"node_type"`
	CreatedOn  flexString `json:"created_on"`
}

func (d kubeClusterData) toCluster() cloud.KubeCluster {
	c := cloud.KubeCluster{ID: d.Identifier, Name: string(d.ClusterName), DatacenterID: string(d.DCIdentifier)}
	for _, n := range d.Nodes {
		if n.NodeType == workerNodeType && n.Identifier != "" {
			c.Nodes = append(c.Nodes, cloud.KubeNode{
				ID: n.Identifier, NumericID: int64(n.ID), Hostname: string(n.Hostname),
				GroupID: int64(n.GroupID), CreatedAt: parseTime(string(n.CreatedOn)),
			})
		}
	}
	return c
}

// kubeGroupData is an entry of GET /apps/v2/k8s/node/groups/byClusterId/{uuid}.
type kubeGroupData struct {
	ID         flexInt    `json:"id"`
	GroupName  flexString `json:"group_name"`
	BoxsizeID  flexInt    `json:"boxsize_id"`
	NodesCount flexInt    `json:"nodes_count"`
}

func (g kubeGroupData) toGroup() cloud.KubeGroup {
	return cloud.KubeGroup{
		ID: int64(g.ID), Name: string(g.GroupName),
		OfferingID: strconv.FormatInt(int64(g.BoxsizeID), 10), Nodes: int(g.NodesCount),
	}
}
