package nodestep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

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
