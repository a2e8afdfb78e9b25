package nodestep

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// minClaimPoll keeps the look for a managed node from listing the VPSie
// cluster more than once a second, however fast the steps poll.
const minClaimPoll = time.Second

// claimReplacement finds the node VPSie added for add, once it registers,
// and claims it: the node the add bought when it is known, else a node of
// the add's group that was not in the cluster before the add (so never
// one that was already there) that no other lane holds and nobody
// claimed. The claim is one write that carries the resourceVersion read,
// so of two lanes (or executors) seeing the same new node, one gets it;
// it gives the node the group's label, labels and taints at once.
func (n *Node) claimReplacement(ctx context.Context, deadline time.Time, add *store.ManagedAdd) (*corev1.Node, error) {
	if add == nil {
		return nil, fmt.Errorf("node %s: no VPSie add recorded to look for", n.Old)
	}
	poll := max(n.r.env.Pace.Poll, minClaimPoll)
	for {
		node, err := n.claimAdded(ctx, add)
		if err != nil || node != nil {
			return node, err
		}
		if !n.r.now().Add(poll).Before(deadline) {
			return nil, errWaitTimedOut
		}
		if err := n.r.env.sleep(ctx, poll); err != nil {
			return nil, err
		}
	}
}

// claimAdded claims one of the nodes added since the record, nil when none
// has registered unclaimed yet. A VPSie listing that fails is looked at
// again at the next poll: the wait is bounded by the provision timeout.
//
// The node an add is known to have bought (add.Node), once its name is
// known (boughtNodes), is claimed without listing VPSie: only its Node is
// read.
func (n *Node) claimAdded(ctx context.Context, add *store.ManagedAdd) (*corev1.Node, error) {
	if kn, ok := n.r.bought.get(add.Node); ok && add.Node != "" {
		return n.claimNode(ctx, kn)
	}
	c, err := n.r.env.Cloud.GetKubeCluster(ctx, n.r.x.GroupSpec().Provisioning.ClusterID)
	if cloud.IsRetryable(err) {
		n.r.env.Logger.Info("VPSie cluster listing failed; looking again", "node", n.Old, "error", err)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	added := n.candidates(c, add) // attribution.go: never another lane's node
	if add.Node != "" && len(added) == 1 {
		n.r.bought.keep(added[0]) // its name is known from now on
	}
	slices.SortFunc(added, func(a, b cloud.KubeNode) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, kn := range added {
		node, err := n.claimNode(ctx, kn)
		if err != nil || node != nil {
			return node, err
		}
	}
	return nil, nil
}

// claimNode claims kn's Node for this replacement: nil when it has not
// registered or another claimed it first.
func (n *Node) claimNode(ctx context.Context, kn cloud.KubeNode) (*corev1.Node, error) {
	ours := n.r.x.ID() + "/" + n.Old
	for range 5 { // a conflict is a heartbeat most times: read again
		node, err := n.r.env.Kube.GetNode(ctx, kn.Hostname)
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if node.Spec.ProviderID != kn.ProviderID() {
			return nil, nil // a Node of that name that is not this VM
		}
		switch node.Annotations[v1alpha1.AnnotationReplacementFor] {
		case ours:
			return node, nil
		case "":
		default:
			return nil, nil
		}
		patch, err := n.claimPatch(node, ours)
		if err != nil {
			return nil, err
		}
		err = n.r.env.Kube.PatchNode(ctx, node.Name, types.MergePatchType, patch)
		if apierrors.IsConflict(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("claim node %s: %w", node.Name, err)
		}
		return n.r.env.Kube.GetNode(ctx, node.Name)
	}
	return nil, nil
}

// claimPatch is the merge patch of a claim: the resourceVersion read (so
// the API server refuses it if the node changed since), the claim, the
// group's labels, and the group's taints added to the node's own.
func (n *Node) claimPatch(node *corev1.Node, claim string) ([]byte, error) {
	group := n.r.x.GroupSpec()
	taints := slices.Clone(node.Spec.Taints)
	for _, t := range group.Taints {
		if !slices.ContainsFunc(taints, func(have corev1.Taint) bool { return have.MatchTaint(&t) }) {
			taints = append(taints, t)
		}
	}
	patch := map[string]any{
		"metadata": map[string]any{
			"resourceVersion": node.ResourceVersion,
			"annotations":     map[string]string{v1alpha1.AnnotationReplacementFor: claim},
			"labels":          nodeLabels(n.r.x.Plan().GetNodeGroup(), group.Labels),
		},
		"spec": map[string]any{"taints": taints},
	}
	return json.Marshal(patch)
}
