package crdtest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// The NodeGroups of deploy/examples are what an operator copies first:
// the API server takes each as written (in a test namespace).
func TestTheExampleNodeGroupsAreAccepted(t *testing.T) {
	t.Parallel()
	ns := sandboxtest.Namespace(t)
	for _, name := range []string{"nodegroup-managed.yaml", "nodegroup-vm.yaml"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "examples", name))
		require.NoError(t, err)
		found := 0
		for doc := range bytes.SplitSeq(raw, []byte("\n---")) {
			obj := &unstructured.Unstructured{}
			require.NoError(t, yaml.Unmarshal(doc, &obj.Object), name)
			if obj.GetKind() != "NodeGroup" {
				continue
			}
			found++
			obj.SetNamespace(ns)
			_, err := sandboxtest.Shared().Dynamic.Resource(v1alpha1.NodeGroupResource).Namespace(ns).
				Create(t.Context(), obj, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			require.NoError(t, err, name)
		}
		require.Equal(t, 1, found, "%s holds one NodeGroup", name)
	}
}
