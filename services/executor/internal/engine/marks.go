package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"

	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

const (
	// TaintReplacing keeps pods evicted from one old node from landing on
	// another old node that is about to go.
	TaintReplacing = "rebalancer.autoscaler.vpsie.io/replacing"
	// LabelExcludeFromLB takes a draining node out of external load
	// balancers, as Karpenter does.
	LabelExcludeFromLB = "node.kubernetes.io/exclude-from-external-load-balancers"
)

// replacingTaint is the taint every old node carries once marked.
func replacingTaint() corev1.Taint {
	return corev1.Taint{Key: TaintReplacing, Value: "true", Effect: corev1.TaintEffectNoSchedule}
}

// markOldNodes puts the replacing taint on every old node of the plan not
// yet gone, once per execution, before the first cordon. What each node had
// is persisted first, so a rollback restores it exactly even after a crash
// in the middle of marking.
func (x *execution) markOldNodes(ctx context.Context) error {
	x.markMu.Lock()
	defer x.markMu.Unlock()
	var marked bool
	x.view(func(r *store.Record) { marked = r.Book.OldNodesMarked })
	if marked {
		return nil
	}
	for _, ne := range x.snapshot().GetNodes() {
		if err := x.markOldNode(ctx, ne.GetOldNode()); err != nil {
			return err
		}
	}
	return x.update(ctx, func(r *store.Record) { r.Book.OldNodesMarked = true })
}

func (x *execution) markOldNode(ctx context.Context, name string) error {
	node, err := x.deps.Kube.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil // already terminated
	}
	if err != nil {
		return err
	}
	var original *store.Marks
	x.view(func(r *store.Record) {
		if b := r.Book.Nodes[name]; b != nil {
			original = b.Original
		}
	})
	if original == nil {
		original = marksOf(node)
		if err := x.update(ctx, func(r *store.Record) { r.Book.NodeBook(name).Original = original }); err != nil {
			return err
		}
	}
	if err := x.noteOriginalMarks(ctx, name, original); err != nil {
		return err
	}
	return x.setTaints(ctx, name, func(taints []corev1.Taint) []corev1.Taint {
		if slices.ContainsFunc(taints, isReplacingTaint) {
			return taints
		}
		return append(taints, replacingTaint())
	})
}

// marksOf records what the Executor may change on a node.
func marksOf(n *corev1.Node) *store.Marks {
	m := &store.Marks{Unschedulable: n.Spec.Unschedulable, Taints: slices.Clone(n.Spec.Taints), Labels: map[string]string{}}
	if v, ok := n.Labels[LabelExcludeFromLB]; ok {
		m.Labels[LabelExcludeFromLB] = v
	}
	return m
}

func isReplacingTaint(t corev1.Taint) bool { return t.Key == TaintReplacing }

// setTaints rewrites a node's taints with a JSON patch that first tests
// the resourceVersion it read, so a concurrent change by the node
// controller is never lost; a conflict reads again.
func (x *execution) setTaints(ctx context.Context, name string, edit func([]corev1.Taint) []corev1.Taint) error {
	nodes := x.deps.Kube.CoreV1().Nodes()
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		node, err := nodes.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		want := edit(slices.Clone(node.Spec.Taints))
		if slices.EqualFunc(want, node.Spec.Taints, func(a, b corev1.Taint) bool { return a.MatchTaint(&b) && a.Value == b.Value }) {
			return nil
		}
		ops := []map[string]any{{"op": "add", "path": "/spec/taints", "value": want}}
		if len(want) == 0 {
			ops = []map[string]any{{"op": "remove", "path": "/spec/taints"}} // as it was: no list at all
		}
		if node.ResourceVersion != "" { // API servers always set it; in-memory fakes may not
			ops = append([]map[string]any{{"op": "test", "path": "/metadata/resourceVersion", "value": node.ResourceVersion}}, ops...)
		}
		patch, err := json.Marshal(ops)
		if err != nil {
			return err
		}
		_, err = nodes.Patch(ctx, name, types.JSONPatchType, patch, metav1.PatchOptions{})
		if isTestFailed(err) {
			return apierrors.NewConflict(corev1.Resource("nodes"), name, err)
		}
		return err
	})
}

// isTestFailed reports a JSON patch whose test operation failed (the API
// server answers 422 or 409 depending on the version).
func isTestFailed(err error) bool {
	var status apierrors.APIStatus
	return err != nil && (apierrors.IsConflict(err) || apierrors.IsInvalid(err) ||
		(errors.As(err, &status) && status.Status().Code == http.StatusUnprocessableEntity))
}

// setCordon cordons or uncordons a node and sets or restores the labels
// the Executor manages, in one strategic merge patch.
func (x *execution) setCordon(ctx context.Context, name string, unschedulable bool, labels map[string]*string) error {
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"labels": labels},
		"spec":     map[string]any{"unschedulable": unschedulable},
	})
	if err != nil {
		return err
	}
	_, err = x.deps.Kube.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("patch node %s: %w", name, err)
	}
	return nil
}

// restoreOldNode puts back exactly what the node had before it was marked:
// cordon state, taints (the replacing taint removed, others as they are
// now) and the managed labels.
func (x *execution) restoreOldNode(ctx context.Context, name string, original *store.Marks) error {
	if original == nil {
		return nil
	}
	labels := map[string]*string{LabelExcludeFromLB: nil}
	for k, v := range maps.All(original.Labels) {
		labels[k] = &v
	}
	if err := x.setCordon(ctx, name, original.Unschedulable, labels); err != nil {
		return err
	}
	hadReplacing := slices.ContainsFunc(original.Taints, isReplacingTaint)
	if err := x.setTaints(ctx, name, func(taints []corev1.Taint) []corev1.Taint {
		if hadReplacing {
			return taints
		}
		return slices.DeleteFunc(taints, isReplacingTaint)
	}); err != nil {
		return err
	}
	return x.clearOriginalMarks(ctx, name)
}
