package engine

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// AnnotationOriginalMarks carries, on a marked old node, what the node had
// before (and which execution marked it): a copy of what the execution's
// record holds, so a node whose record is lost (a bucket purged, a NATS
// cluster rebuilt) can still be restored exactly instead of staying
// cordoned for good.
const AnnotationOriginalMarks = "rebalancer.autoscaler.vpsie.io/original-marks"

// DefaultInstallation is the installation of an executor not told its own:
// one per cluster, as a cluster usually runs.
const DefaultInstallation = "default"

// markNote is the annotation's value.
type markNote struct {
	Installation string `json:"installation"`
	Execution    string `json:"execution"`
	store.Marks
}

// noteOriginalMarks writes the annotation before the node is marked. It is
// written each time (a merge patch, idempotent), so a note left by an
// earlier execution is replaced.
func (x *execution) noteOriginalMarks(ctx context.Context, name string, original *store.Marks) error {
	value, err := json.Marshal(markNote{Installation: x.deps.Installation, Execution: x.id(), Marks: *original})
	if err != nil {
		return err
	}
	return x.patchNote(ctx, name, string(value))
}

// clearOriginalMarks removes the annotation once the node is restored.
func (x *execution) clearOriginalMarks(ctx context.Context, name string) error {
	return x.patchNote(ctx, name, nil)
}

// patchNote sets the annotation to value, or removes it when value is nil.
func (x *execution) patchNote(ctx context.Context, name string, value any) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]any{AnnotationOriginalMarks: value}}})
	if err != nil {
		return err
	}
	_, err = x.deps.Kube.CoreV1().Nodes().Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("annotate node %s: %w", name, err)
	}
	return nil
}

// noteOn reads the annotation of a node; ok is false when it has none
// that parses.
func noteOn(n *corev1.Node) (markNote, bool) {
	var note markNote
	raw, found := n.Annotations[AnnotationOriginalMarks]
	if !found || json.Unmarshal([]byte(raw), &note) != nil || note.Execution == "" {
		return markNote{}, false
	}
	return note, true
}
