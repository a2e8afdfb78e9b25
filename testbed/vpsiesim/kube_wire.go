package vpsiesim

import (
	"fmt"
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// The node_type of a cluster's nodes (ASSUMPTION, shared with the client:
// see libs/cloud/README.md).
const (
	nodeTypeMaster = 1
	nodeTypeWorker = 2
)

type kubeOfferJSON struct {
	ID          string  `json:"id"` // numeric, sent as a string as VPSie sometimes does
	Name        string  `json:"name"`
	CPU         int     `json:"cpu"`
	RAM         string  `json:"ram"` // MB, a string as VPSie sometimes sends numbers
	Disk        int     `json:"disk"`
	Price       string  `json:"price"` // monthly
	HourlyPrice float64 `json:"hourly_price"`
}

func kubeOffer(id string, o cloud.Offering) kubeOfferJSON {
	return kubeOfferJSON{
		ID: id, Name: o.Name, CPU: o.CPU, RAM: fmt.Sprint(o.RAMMB), Disk: o.DiskGB,
		Price: fmt.Sprintf("%.2f", o.MonthlyPrice), HourlyPrice: o.HourlyPrice(),
	}
}

type kubeClusterJSON struct {
	Identifier   string         `json:"identifier"`
	ClusterName  string         `json:"cluster_name"`
	DCIdentifier string         `json:"dcIdentifier"`
	Count        int            `json:"count"`
	Nodes        []kubeNodeJSON `json:"nodes"`
}

type kubeNodeJSON struct {
	ID         int64  `json:"id"`
	Identifier string `json:"identifier"`
	Hostname   string `json:"hostname"`
	GroupID    string `json:"group_id"` // a string, to keep the client's flexible numbers honest
	NodeType   int    `json:"node_type"`
	CreatedOn  string `json:"created_on"`
}

// clusterJSON lists a control-plane node first (never the rebalancer's to
// touch; the client must leave it out), then the workers. The caller holds s.mu.
func (s *Sim) clusterJSON(c *cluster) kubeClusterJSON {
	out := kubeClusterJSON{Identifier: c.identifier, ClusterName: c.name, DCIdentifier: c.dc.ID}
	out.Nodes = append(out.Nodes, kubeNodeJSON{
		ID: 0, Identifier: catalog.ID("master", c.name), Hostname: c.name + "-master-1",
		GroupID: "0", NodeType: nodeTypeMaster,
	})
	for _, v := range s.nodes(c) {
		out.Nodes = append(out.Nodes, kubeNodeJSON{
			ID: v.numericID, Identifier: v.identifier, Hostname: v.hostname, GroupID: fmt.Sprint(v.member.group.id),
			NodeType: nodeTypeWorker, CreatedOn: v.createdAt.UTC().Format(time.DateTime),
		})
	}
	out.Count = len(out.Nodes)
	return out
}

type kubeGroupJSON struct {
	ID         int64  `json:"id"`
	GroupName  string `json:"group_name"`
	BoxsizeID  string `json:"boxsize_id"`
	NodesCount int    `json:"nodes_count"`
}

func groupJSON(g cloud.KubeGroup) kubeGroupJSON {
	return kubeGroupJSON{ID: g.ID, GroupName: g.Name, BoxsizeID: g.OfferingID, NodesCount: g.Nodes}
}
