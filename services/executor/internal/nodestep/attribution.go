package nodestep

import (
	"context"
	"slices"
	"sync"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// VPSie's add names no node, and several lanes of an execution may add
// to one VPSie group at once: "a node of the group added since my list"
// may then be another lane's, and a lane that claimed or deleted such a
// node took another lane's node and left its own behind, unclaimed, where
// nobody looks for it (seeds 1022, 1029). So the lanes' adds are
// serialised (Runner.addMu) from the listing before the add to the one
// after it: the one node that appeared in between, and that no other lane
// holds, is the add's (ManagedAdd.Node). A lane claims and deletes only
// its own node. When it cannot be told (a resumed add, someone outside the
// execution adding at the same moment) the lane claims any new node no
// other lane holds, and deletes none it did not claim: the reconciler
// reclaims an unclaimed node once the group's executions ended
// (engine/managedorphans.go).

// attributeAdd is the node add bought, from the cluster listed after it
// was sent: the one node of its group not known before and not another
// lane's; "" when there is not exactly one.
func (n *Node) attributeAdd(ctx context.Context, add *store.ManagedAdd) string {
	c, err := n.kubeCluster(ctx)
	if err != nil {
		return "" // unattributed: claimed as any unheld new node
	}
	added := n.unheld(cloud.KubeNodesAddedSince(c, add.Group, add.Known))
	if len(added) != 1 {
		return ""
	}
	n.r.bought.keep(added[0])
	return added[0].ID
}

// boughtNodes are the nodes the execution's adds bought, as VPSie listed
// them, by identifier: once an add's node is known by name, the wait for
// it to register watches Kubernetes only, instead of listing the VPSie
// cluster every second. In memory: a resumed Runner lists once to learn
// the name again.
type boughtNodes struct {
	mu    sync.Mutex
	nodes map[string]cloud.KubeNode
}

func (b *boughtNodes) keep(kn cloud.KubeNode) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.nodes == nil {
		b.nodes = map[string]cloud.KubeNode{}
	}
	b.nodes[kn.ID] = kn
}

func (b *boughtNodes) get(id string) (cloud.KubeNode, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kn, ok := b.nodes[id]
	return kn, ok && kn.Hostname != ""
}

// candidates are the nodes add may claim: its own node when it is known,
// else the group's nodes added since its list that no other lane holds.
func (n *Node) candidates(c cloud.KubeCluster, add *store.ManagedAdd) []cloud.KubeNode {
	added := cloud.KubeNodesAddedSince(c, add.Group, add.Known)
	if add.Node != "" {
		return slices.DeleteFunc(added, func(kn cloud.KubeNode) bool { return kn.ID != add.Node })
	}
	return n.unheld(added)
}

// unheld drops the nodes another lane of the execution holds: the node
// its add bought, or the one it claimed.
func (n *Node) unheld(nodes []cloud.KubeNode) []cloud.KubeNode {
	held := n.r.heldByLanes(n.Old)
	return slices.DeleteFunc(nodes, func(kn cloud.KubeNode) bool { return slices.Contains(held, kn.ID) })
}

// heldByLanes are the VPSie nodes the lanes of the execution other than
// old's hold: each add's own node, and each replacement recorded.
func (r *Runner) heldByLanes(old string) []string {
	var held []string
	for _, b := range r.x.Plan().GetBatches() {
		for _, c := range b.GetNodes() {
			if c.GetNodeName() == old {
				continue
			}
			ne, nb := r.x.Node(c.GetNodeName())
			if nb.ManagedAdd != nil && nb.ManagedAdd.Node != "" {
				held = append(held, nb.ManagedAdd.Node)
			}
			if id := ne.GetNewVmIdentifier(); id != "" {
				held = append(held, id)
			}
		}
	}
	return held
}
