package deploytest

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

// namespace is where the base puts everything namespaced.
const namespace = "vpsie-rebalancer"

// render runs kustomize on a folder of deploy/ as `kubectl apply -k` does:
// default options, so files outside the folder are refused there too.
//
// kustomize/api is pinned at v0.21.1: v0.21.2 raises
// github.com/google/gnostic-models, which every service's go.mod would then
// have to follow, and v0.21.3 needs Go 1.27.
func render(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	return build(t, filepath.Join(deployDir(t), dir))
}

// deployDir is the absolute path of deploy/.
func deployDir(t *testing.T) string {
	t.Helper()
	root, err := sandbox.RepoRoot()
	require.NoError(t, err)
	return filepath.Join(root, "deploy")
}

// build runs kustomize on the kustomization in dir, anywhere on disk.
func build(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).
		Run(filesys.MakeFsOnDisk(), dir)
	require.NoError(t, err, "kustomize build %s", dir)
	var objs []*unstructured.Unstructured
	for _, r := range resources.Resources() {
		// Through JSON: kustomize's maps hold Go ints, which unstructured
		// helpers refuse; JSON gives int64 as the API machinery expects.
		b, err := r.MarshalJSON()
		require.NoError(t, err)
		o := &unstructured.Unstructured{}
		require.NoError(t, o.UnmarshalJSON(b))
		objs = append(objs, o)
	}
	return objs
}

// key names an object in failure messages: Kind/namespace/name.
func key(o *unstructured.Unstructured) string {
	return o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
}

func TestKustomizationsRenderTheWholeDeployment(t *testing.T) {
	t.Parallel()
	var all []string
	for _, o := range render(t, ".") {
		all = append(all, key(o))
	}
	want := []string{
		"Namespace//vpsie-rebalancer",
		"CustomResourceDefinition//nodegroups.autoscaler.vpsie.io",
		"ServiceAccount/vpsie-rebalancer/analyzer",
		"ServiceAccount/vpsie-rebalancer/executor",
		"ServiceAccount/vpsie-rebalancer/planner",
		"ClusterRole//rebalancer-viewer",
		"ClusterRole//rebalancer-operator",
		"ClusterRole//rebalancer-approver",
		"ClusterRole//vpsie-rebalancer-auth-reviews",
		"ClusterRoleBinding//vpsie-rebalancer-auth-reviews",
		"ClusterRole//vpsie-rebalancer-analyzer",
		"ClusterRole//vpsie-rebalancer-executor",
		"ClusterRoleBinding//vpsie-rebalancer-analyzer",
		"ClusterRoleBinding//vpsie-rebalancer-executor",
		"ConfigMap/vpsie-rebalancer/nats-config",
		"Service/vpsie-rebalancer/analyzer",
		"Service/vpsie-rebalancer/executor",
		"Service/vpsie-rebalancer/nats",
		"Service/vpsie-rebalancer/planner",
		"Deployment/vpsie-rebalancer/analyzer",
		"Deployment/vpsie-rebalancer/planner",
		"Deployment/vpsie-rebalancer/executor",
		"StatefulSet/vpsie-rebalancer/nats",
		"PodDisruptionBudget/vpsie-rebalancer/analyzer",
		"PodDisruptionBudget/vpsie-rebalancer/executor",
		"PodDisruptionBudget/vpsie-rebalancer/nats",
		"PodDisruptionBudget/vpsie-rebalancer/planner",
	}
	// No Secret: the VPSie token is created by the operator, never committed.
	require.ElementsMatch(t, want, all)

	// base/ alone is everything but the CRD, for clusters that manage CRDs
	// on their own.
	var base []string
	for _, o := range render(t, "base") {
		base = append(base, key(o))
	}
	want = slices.DeleteFunc(want, func(k string) bool { return k == "CustomResourceDefinition//nodegroups.autoscaler.vpsie.io" })
	require.ElementsMatch(t, want, base)
}
