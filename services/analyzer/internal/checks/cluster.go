package checks

import (
	"fmt"
	"sort"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
)

const clusterHealth = rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_CLUSTER_HEALTH

// Names of the cluster health checks.
const (
	NameUnreadyNodes = "cluster.unready_nodes"
	NameAPIServer    = "cluster.api_server"
)

// UnreadyNodes fails when too many of the cluster's nodes are not Ready:
// pods moved now might have nowhere healthy to go, and an outage in
// progress is no time to add churn. Ready is kube.NodeReady, the
// Executor's reading: a node still tainted not-ready is not Ready. A node
// younger than JoinGrace is joining, counted apart and not held against
// the cluster.
func UnreadyNodes(in *Input) Result {
	var unready []string
	joining := 0
	for _, n := range in.ClusterNodes {
		switch {
		case kube.NodeReady(n):
		case in.Now.Sub(n.CreationTimestamp.Time) < in.JoinGrace:
			joining++
		default:
			unready = append(unready, n.Name)
		}
	}
	sort.Strings(unready)
	total := len(in.ClusterNodes)
	details := map[string]string{
		"unready": fmt.Sprint(len(unready)), "nodes": fmt.Sprint(total), "joining": fmt.Sprint(joining),
		"maxUnreadyPercent": fmt.Sprint(in.MaxUnreadyPercent),
	}
	if total == 0 || len(unready)*100 <= in.MaxUnreadyPercent*total {
		return passed(clusterHealth, NameUnreadyNodes,
			fmt.Sprintf("%d of %d nodes not Ready%s, within the %d%% limit", len(unready), total, joiningNote(joining), in.MaxUnreadyPercent), details)
	}
	return failed(clusterHealth, NameUnreadyNodes, fmt.Sprintf("%d of %d nodes (%d%%) are not Ready, over the %d%% limit: %s",
		len(unready), total, len(unready)*100/total, in.MaxUnreadyPercent, listed(unready)), details, true)
}

// APIServer fails when the API server's /readyz does not answer ok.
func APIServer(in *Input) Result {
	if in.APIServer != nil {
		return failed(clusterHealth, NameAPIServer, "the API server is not ready: "+in.APIServer.Error(), nil, true)
	}
	return passed(clusterHealth, NameAPIServer, "the API server answers /readyz", nil)
}

// joiningNote mentions the joining nodes left out of the count, if any.
func joiningNote(joining int) string {
	if joining == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d more joining)", joining)
}
