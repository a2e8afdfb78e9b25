package nodestep

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

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
