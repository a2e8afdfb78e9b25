package nodestep

import (
	"context"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
)

// markNode puts the note of the node's original marks and the replacing
// taint on it in one JSON patch, tested against the resourceVersion read:
// one request instead of a note patch, a read and a taint patch, and the
// taint is never on the node without the note that undoes it. A
// concurrent change (the node controller's) reads again; a node already
// marked is not written; a node gone has nothing to mark.
func markNode(ctx context.Context, nodes NodeAPI, read *corev1.Node, note string) error {
	name := read.Name
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		node := read
		read = nil // a retry reads again
		if node == nil {
			var err error
			if node, err = nodes.GetNode(ctx, name); err != nil {
				return ignoreGone(err)
			}
		}
		ops := markOps(node, note)
		if len(ops) == 0 {
			return nil
		}
		return patchOverVersion(ctx, nodes, node, ops)
	})
}

// markOps are the JSON patch operations that add what node lacks of the
// note and the replacing taint.
func markOps(node *corev1.Node, note string) []map[string]any {
	var ops []map[string]any
	switch {
	case node.Annotations == nil:
		ops = append(ops, map[string]any{"op": "add", "path": "/metadata/annotations",
			"value": map[string]string{AnnotationOriginalMarks: note}})
	case node.Annotations[AnnotationOriginalMarks] != note:
		ops = append(ops, map[string]any{"op": "add", "path": "/metadata/annotations/" + escapePointer(AnnotationOriginalMarks), "value": note})
	}
	if !slices.ContainsFunc(node.Spec.Taints, isReplacingTaint) {
		ops = append(ops, map[string]any{"op": "add", "path": "/spec/taints", "value": append(slices.Clone(node.Spec.Taints), ReplacingTaint())})
	}
	return ops
}

// escapePointer escapes a map key for a JSON pointer (RFC 6901).
func escapePointer(key string) string {
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}

// ignoreGone is err, but nil for a node that is gone.
func ignoreGone(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
