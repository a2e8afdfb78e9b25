package deploytest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

// movedExecutorImage is where the overlay of renderSplitRoles moves the
// executor's image, as deploy/README.md tells operators to.
const movedExecutorImage = "registry.example.com/rebalancer/executor"

// renderSplitRoles renders an overlay like an operator's (deploy/README.md,
// "The rollback handler on its own"): a kustomization outside deploy/ that
// takes deploy/ as a resource, adds the split-roles component and sets the
// executor's image. Rendered with the same default options as deploy/.
func renderSplitRoles(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	dir := t.TempDir()
	deploy, err := filepath.Rel(dir, deployDir(t))
	require.NoError(t, err)
	kustomization := fmt.Sprintf(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - %[1]s
components:
  - %[1]s/components/split-roles
images:
  - name: ghcr.io/vpsie/node-rebalancer/executor
    newName: %[2]s
`, filepath.ToSlash(deploy), movedExecutorImage)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kustomization), 0o600))
	return build(t, dir)
}

// TestSplitRolesComponentRunsRollbacksApart: with the component, the
// executor Deployment only runs plans and a rollback-handler Deployment,
// otherwise the same pods, only carries rollbacks out.
func TestSplitRolesComponentRunsRollbacksApart(t *testing.T) {
	t.Parallel()
	whole := render(t, ".")
	objs := renderSplitRoles(t)

	// It adds the rollback handler's Deployment and budget and nothing
	// else: no account, role or binding, it runs as the executor.
	var want, got []string
	for _, o := range whole {
		want = append(want, key(o))
	}
	want = append(want,
		"Deployment/vpsie-rebalancer/rollback-handler",
		"PodDisruptionBudget/vpsie-rebalancer/rollback-handler")
	for _, o := range objs {
		got = append(got, key(o))
	}
	require.ElementsMatch(t, want, got)

	// Without it, the executor runs both roles, the binary's default.
	_, set := roles(deployment(t, whole, "executor"))
	require.False(t, set, "deploy/ alone must leave EXECUTOR_ROLES to the binary's default (both roles)")

	executor, handler := deployment(t, objs, "executor"), deployment(t, objs, "rollback-handler")
	r, _ := roles(executor)
	require.Equal(t, "executor", r, "the executor Deployment runs plans only")
	r, _ = roles(handler)
	require.Equal(t, "rollback", r, "the rollback-handler Deployment carries rollbacks out only")
	require.Equal(t, int32(2), *handler.Spec.Replicas)
	checkTakesOver(t, executor)
	checkTakesOver(t, handler)

	// The same pod otherwise: image (the overlay's too), service account
	// and so RBAC, NATS URL and replicas, replica ID, token, hardening.
	pod := handler.Spec.Template.Spec
	require.Equal(t, "executor", pod.ServiceAccountName, "a rollback drains, deletes VMs and restores nodes as the executor does")
	require.Equal(t, movedExecutorImage+":v0.1.0", pod.Containers[0].Image, "the overlay's image must reach the rollback handler")
	checkContainer(t, "rollback-handler", pod.Containers[0])
	asExecutor := pod.DeepCopy()
	for i, e := range asExecutor.Containers[0].Env {
		if e.Name == "EXECUTOR_ROLES" {
			asExecutor.Containers[0].Env[i].Value = "executor"
		}
	}
	require.Len(t, asExecutor.TopologySpreadConstraints, len(executor.Spec.Template.Spec.TopologySpreadConstraints))
	for i := range asExecutor.TopologySpreadConstraints {
		asExecutor.TopologySpreadConstraints[i].LabelSelector = executor.Spec.Template.Spec.TopologySpreadConstraints[i].LabelSelector
	}
	require.Equal(t, executor.Spec.Template.Spec, *asExecutor,
		"the rollback handler's pod spec must be the executor's but for EXECUTOR_ROLES and the spread constraints' labels")

	// Calls go to executors only: a rollback handler takes no plan.
	selector, _, err := unstructured.NestedStringMap(find(t, objs, "Service", "executor").Object, "spec", "selector")
	require.NoError(t, err)
	require.True(t, labels.SelectorFromSet(selector).Matches(labels.Set(executor.Spec.Template.Labels)))
	require.False(t, labels.SelectorFromSet(selector).Matches(labels.Set(handler.Spec.Template.Labels)),
		"the executor Service selects rollback-handler pods")
	checkSelectors(t, objs)
}

// roles returns the executor container's EXECUTOR_ROLES, and whether it is
// set.
func roles(d appsv1.Deployment) (string, bool) {
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "EXECUTOR_ROLES" {
			return e.Value, true
		}
	}
	return "", false
}

// TestSelectorsPickTheirOwnPods: each Service, budget, workload and
// spread constraint selects the pods of the workload it is named after and
// no other, with or without the split-roles component. An overlap would
// send calls to the wrong pods, count them in the wrong budget or make two
// Deployments fight over pods.
func TestSelectorsPickTheirOwnPods(t *testing.T) {
	t.Parallel()
	t.Run("deploy", func(t *testing.T) {
		t.Parallel()
		checkSelectors(t, render(t, "."))
	})
	t.Run("split-roles", func(t *testing.T) {
		t.Parallel()
		checkSelectors(t, renderSplitRoles(t))
	})
}

func checkSelectors(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	all := workloads(t, objs)
	check := func(where, owner string, sel labels.Selector) {
		t.Helper()
		var picked []string
		for name, w := range all {
			if sel.Matches(labels.Set(w.template.Labels)) {
				picked = append(picked, name)
			}
		}
		slices.Sort(picked)
		require.Equal(t, []string{owner}, picked, "%s (%s) selects the pods of %v", where, sel, picked)
	}
	labelSelector := func(where string, ls *metav1.LabelSelector) labels.Selector {
		t.Helper()
		require.NotNil(t, ls, "%s has no selector", where)
		sel, err := metav1.LabelSelectorAsSelector(ls)
		require.NoError(t, err, where)
		require.False(t, sel.Empty(), "%s selects every pod", where)
		return sel
	}
	for _, o := range objs {
		switch o.GetKind() {
		case "Service":
			m, found, err := unstructured.NestedStringMap(o.Object, "spec", "selector")
			require.NoError(t, err, key(o))
			require.True(t, found && len(m) > 0, "%s has no selector", key(o))
			check(key(o), o.GetName(), labels.SelectorFromSet(m))
		case "PodDisruptionBudget", "Deployment", "StatefulSet":
			raw, found, err := unstructured.NestedMap(o.Object, "spec", "selector")
			require.NoError(t, err, key(o))
			require.True(t, found, "%s has no selector", key(o))
			var ls metav1.LabelSelector
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &ls), key(o))
			check(key(o), o.GetName(), labelSelector(key(o), &ls))
		}
	}
	for name, w := range all {
		for i, c := range w.template.Spec.TopologySpreadConstraints {
			where := fmt.Sprintf("%s topologySpreadConstraints[%d]", w.key, i)
			check(where, name, labelSelector(where, c.LabelSelector))
		}
	}
}
