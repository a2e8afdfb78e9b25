package nodestep

import (
	"context"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/util/retry"

	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// RestoreMarks puts back exactly the marks a node had before it was
// tainted: cordon state, taints (the replacing taint removed, others as
// they are now) and the managed labels, and removes their note, in one
// JSON patch tested against the resourceVersion read (a read and a patch,
// where a cordon patch, a taint read and patch and a note patch were four
// requests, and the node is never restored by halves). A concurrent
// change (the node controller's taints) reads again; a node already as it
// was is not written; a node gone has nothing to restore. The rollback
// calls it for old nodes not terminated; the engine's reconciler for
// nodes that executions which ended or were lost left tainted.
func RestoreMarks(ctx context.Context, nodes NodeAPI, name string, original *store.Marks) error {
	if original == nil {
		return nil
	}
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		node, err := nodes.GetNode(ctx, name)
		if err != nil {
			return ignoreGone(err)
		}
		ops := restoreOps(node, original)
		if len(ops) == 0 {
			return nil
		}
		return patchOverVersion(ctx, nodes, node, ops)
	})
}

// restoreOps are the JSON patch operations that take node back to
// original: its cordon state, the managed labels as they were, its taints
// without the replacing taint (unless it had one before), and no note.
func restoreOps(node *corev1.Node, original *store.Marks) []map[string]any {
	var ops []map[string]any
	if node.Spec.Unschedulable != original.Unschedulable {
		ops = append(ops, map[string]any{"op": "add", "path": "/spec/unschedulable", "value": original.Unschedulable})
	}
	// The managed labels (marksOf), set or removed in the whole map: the
	// resourceVersion test keeps anyone else's change from being lost.
	labels := maps.Clone(node.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	changed := false
	for _, k := range []string{LabelExcludeFromLB} {
		was, had := original.Labels[k]
		is, has := node.Labels[k]
		switch {
		case had && (!has || is != was):
			labels[k], changed = was, true
		case !had && has:
			delete(labels, k)
			changed = true
		}
	}
	if changed {
		ops = append(ops, map[string]any{"op": "add", "path": "/metadata/labels", "value": labels})
	}
	if !slices.ContainsFunc(original.Taints, isReplacingTaint) && slices.ContainsFunc(node.Spec.Taints, isReplacingTaint) {
		want := slices.DeleteFunc(slices.Clone(node.Spec.Taints), isReplacingTaint)
		op := map[string]any{"op": "add", "path": "/spec/taints", "value": want}
		if len(want) == 0 {
			op = map[string]any{"op": "remove", "path": "/spec/taints"} // as it was: no list at all
		}
		ops = append(ops, op)
	}
	if _, ok := node.Annotations[AnnotationOriginalMarks]; ok {
		// The whole map, as for the labels: the resourceVersion test keeps
		// anyone else's change from being lost.
		annotations := maps.Clone(node.Annotations)
		delete(annotations, AnnotationOriginalMarks)
		ops = append(ops, map[string]any{"op": "add", "path": "/metadata/annotations", "value": annotations})
	}
	return ops
}
