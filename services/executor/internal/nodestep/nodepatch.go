package nodestep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
)

// isTestFailed reports a JSON patch whose test operation failed (the API
// server answers 422 or 409 depending on the version).
func isTestFailed(err error) bool {
	var status apierrors.APIStatus
	return err != nil && (apierrors.IsConflict(err) || apierrors.IsInvalid(err) ||
		(errors.As(err, &status) && status.Status().Code == http.StatusUnprocessableEntity))
}

// patchOverVersion applies the JSON patch ops to node, tested against the
// resourceVersion node was read at: a node changed since is a conflict
// (for retry.RetryOnConflict to read again), never overwritten. A node
// gone has nothing to change.
func patchOverVersion(ctx context.Context, nodes NodeAPI, node *corev1.Node, ops []map[string]any) error {
	if node.ResourceVersion != "" { // API servers always set it; in-memory fakes may not
		ops = append([]map[string]any{{"op": "test", "path": "/metadata/resourceVersion", "value": node.ResourceVersion}}, ops...)
	}
	patch, err := json.Marshal(ops)
	if err != nil {
		return err
	}
	err = nodes.PatchNode(ctx, node.Name, types.JSONPatchType, patch)
	if isTestFailed(err) {
		return apierrors.NewConflict(corev1.Resource("nodes"), node.Name, err)
	}
	return ignoreGone(err)
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
