package nodestep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
)

// setTaints rewrites a node's taints with a JSON patch that first tests
// the resourceVersion it read, so a concurrent change by the node
// controller is never lost; a conflict reads again. A node that already
// has the taints edit wants is not written.
func setTaints(ctx context.Context, nodes NodeAPI, name string, edit func([]corev1.Taint) []corev1.Taint) error {
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		node, err := nodes.GetNode(ctx, name)
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
		err = nodes.PatchNode(ctx, name, types.JSONPatchType, patch)
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
// the Executor manages (a nil value removes one), in one strategic merge
// patch. A node that is gone has nothing to change.
func setCordon(ctx context.Context, nodes NodeAPI, name string, unschedulable bool, labels map[string]*string) error {
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"labels": labels},
		"spec":     map[string]any{"unschedulable": unschedulable},
	})
	if err != nil {
		return err
	}
	err = nodes.PatchNode(ctx, name, types.StrategicMergePatchType, patch)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("patch node %s: %w", name, err)
	}
	return nil
}
