package nodestep

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

// The small fake's patches, applied as the API server applies them.

// applyPatch applies a patch to a JSON document as the API server does,
// for the patches the steps send (the only strategic merge patch they
// send is to a Node, whose schema it reads).
func applyPatch(doc []byte, pt types.PatchType, patch []byte) ([]byte, error) {
	switch pt {
	case types.StrategicMergePatchType:
		return strategicpatch.StrategicMergePatch(doc, patch, corev1.Node{})
	case types.MergePatchType:
		var d, p map[string]any
		if err := json.Unmarshal(doc, &d); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(patch, &p); err != nil {
			return nil, err
		}
		return json.Marshal(mergePatch(d, p))
	case types.JSONPatchType:
		return jsonPatch(doc, patch)
	}
	return nil, apierrors.NewBadRequest("unsupported patch type " + string(pt))
}

// mergePatch is RFC 7386: objects merge, null removes, anything else replaces.
func mergePatch(doc, patch map[string]any) map[string]any {
	if doc == nil {
		doc = map[string]any{}
	}
	for k, v := range patch {
		switch v := v.(type) {
		case nil:
			delete(doc, k)
		case map[string]any:
			sub, _ := doc[k].(map[string]any)
			doc[k] = mergePatch(sub, v)
		default:
			doc[k] = v
		}
	}
	return doc
}

// jsonPatch is RFC 6902 for the operations the steps send (test, add,
// remove) on paths whose parents exist; a failed test is a conflict.
func jsonPatch(doc, patch []byte) ([]byte, error) {
	var d map[string]any
	var ops []struct {
		Op, Path string
		Value    any
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(patch, &ops); err != nil {
		return nil, err
	}
	for _, op := range ops {
		steps := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
		parent := d
		for _, s := range steps[:len(steps)-1] {
			parent, _ = parent[s].(map[string]any)
		}
		last := steps[len(steps)-1]
		switch op.Op {
		case "test":
			if !reflect.DeepEqual(parent[last], op.Value) {
				return nil, apierrors.NewConflict(corev1.Resource("nodes"), "", fmt.Errorf("test of %s failed", op.Path))
			}
		case "add":
			parent[last] = op.Value
		case "remove":
			delete(parent, last)
		default:
			return nil, apierrors.NewBadRequest("unsupported op " + op.Op)
		}
	}
	return json.Marshal(d)
}
