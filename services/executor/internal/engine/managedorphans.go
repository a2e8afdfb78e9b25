package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// A node VPSie added for an execution that no lane claimed carries no
// claim to find it by: it never registered, or registered after its lane
// gave up on it, and its lane could not tell it from another lane's, so
// did not delete it (nodestep/attribution.go). Once every execution on
// its cluster ended, such a node is its execution's orphan when:
//   - it is no member of a group and nobody claimed it (a Node of its
//     name, if any, has neither the group label nor a claim);
//   - it was added while an execution of this installation ran on the
//     cluster (between its start and its end), to a VPSie group that
//     execution added to.
// It is then judged like any orphan: reclaimed after the grace, counted
// from its execution's end.

// unclaimedHorizon bounds how long after a group's last rebalance its
// cluster is listed for unclaimed nodes, each pass: past it, what is left
// is for an operator (the reconcile logs nothing of it).
const unclaimedHorizon = time.Hour

// unclaimedManaged are the unclaimed managed nodes that an ended execution
// of this installation added (see above).
func (e *Executor) unclaimedManaged(ctx context.Context, w *world) ([]replacement, error) {
	clusters, err := e.idleClusters(ctx, w)
	if err != nil {
		return nil, err
	}
	var out []replacement
	var errs []error
	for cluster, lastEnd := range clusters {
		found, err := e.unclaimedIn(ctx, w, cluster, lastEnd)
		out = append(out, found...)
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// idleClusters are the managed clusters of groups rebalanced within the
// horizon on which nothing runs: no group holds a lock, no unfinished
// execution names a group. Each maps to its groups' last rebalance end.
func (e *Executor) idleClusters(ctx context.Context, w *world) (map[string]time.Time, error) {
	unfinished, err := e.deps.Store.Unfinished(ctx)
	if err != nil {
		return nil, err
	}
	busy := map[string]bool{}
	for _, r := range unfinished {
		busy[r.Book.Provisioning.ClusterID] = true
	}
	out := map[string]time.Time{}
	now := e.deps.Clock.Now()
	for i := range w.groups {
		g := &w.groups[i]
		cluster := g.Spec.Provisioning.ClusterID
		if g.Spec.Provisioning.Mode == v1alpha1.ProvisioningVM || cluster == "" {
			continue
		}
		if g.Status.ActiveExecution != nil {
			busy[cluster] = true
		}
		if end := g.Status.LastRebalanceTime; end != nil && now.Sub(end.Time) < unclaimedHorizon && end.After(out[cluster]) {
			out[cluster] = end.Time
		}
	}
	for cluster := range busy {
		delete(out, cluster)
	}
	return out, nil
}

// unclaimedIn are the unclaimed nodes of one cluster added before lastEnd
// by an ended execution.
func (e *Executor) unclaimedIn(ctx context.Context, w *world, cluster string, lastEnd time.Time) ([]replacement, error) {
	c, err := e.deps.Cloud.GetKubeCluster(ctx, cluster)
	if err != nil {
		return nil, fmt.Errorf("list VPSie cluster %s: %w", cluster, err)
	}
	var out []replacement
	for _, kn := range c.Nodes {
		if w.nodeOf(kn.ID) != nil || kn.CreatedAt.After(lastEnd) {
			continue // a member, or added after every execution ended
		}
		node, free, err := e.unclaimedNode(ctx, kn)
		if err != nil {
			return out, err
		}
		if !free {
			continue
		}
		rec, err := w.addedBy(ctx, e.deps.Store, cluster, kn)
		if err != nil {
			return out, err
		}
		if rec == nil {
			continue
		}
		out = append(out, replacement{mode: modeManaged, id: kn.ID, hostname: kn.Hostname, created: kn.CreatedAt,
			of:   cloud.Replacement{Installation: e.deps.Installation, Execution: rec.State.GetExecutionId()},
			node: node, groupLabel: rec.Plan.GetNodeGroup()})
	}
	return out, nil
}

// unclaimedNode is kn's Node (nil when it never registered), and whether
// kn is free: no Node of its name is a member of a group, claimed, or
// another machine.
func (e *Executor) unclaimedNode(ctx context.Context, kn cloud.KubeNode) (*corev1.Node, bool, error) {
	node, err := e.deps.Kube.CoreV1().Nodes().Get(ctx, kn.Hostname, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	_, member := node.Labels[v1alpha1.LabelNodeGroup]
	_, claimed := node.Annotations[v1alpha1.AnnotationReplacementFor]
	return node, !member && !claimed && node.Spec.ProviderID == kn.ProviderID(), nil
}

// addedBy is the ended execution on cluster that added kn: it ran when kn
// was added, and added to kn's VPSie group; nil when none did.
func (w *world) addedBy(ctx context.Context, s store.Store, cluster string, kn cloud.KubeNode) (*store.Record, error) {
	recs, err := w.allRecords(ctx, s)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		st := r.State
		if !isFinal(st.GetStatus()) || r.Book.Provisioning.ClusterID != cluster || st.GetStartedAt() == nil ||
			kn.CreatedAt.Before(st.GetStartedAt().AsTime()) || kn.CreatedAt.After(st.GetCompletedAt().AsTime()) {
			continue
		}
		if slices.Contains(addedGroups(r), kn.GroupID) {
			return r, nil
		}
	}
	return nil, nil
}

// addedGroups are the VPSie groups an execution's lanes added to.
func addedGroups(r *store.Record) []int64 {
	var out []int64
	for _, nb := range r.Book.Nodes {
		if nb.ManagedAdd != nil {
			out = append(out, nb.ManagedAdd.Group)
		}
	}
	return out
}

// allRecords is every execution of the store, read once per pass and only
// when an unclaimed node asks for it.
func (w *world) allRecords(ctx context.Context, s store.Store) ([]*store.Record, error) {
	if w.all == nil {
		all, err := s.List(ctx)
		if err != nil {
			return nil, fmt.Errorf("list executions: %w", err)
		}
		w.all = all
	}
	return w.all, nil
}
