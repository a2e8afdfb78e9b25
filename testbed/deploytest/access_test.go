package deploytest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// TestAccessRolesGrantOnlyTheirVerbsOnRebalance: the roles callers are
// bound to grant verbs on nodegroups/rebalance and nothing else, each the
// verbs of deploy/README.md's table (testbed/authtest calls every RPC
// with tokens of accounts bound to them).
func TestAccessRolesGrantOnlyTheirVerbsOnRebalance(t *testing.T) {
	t.Parallel()
	objs := render(t, ".")
	for name, verbs := range map[string][]string{
		"rebalancer-viewer":   {"get"},
		"rebalancer-operator": {"get", "create", "update"},
		"rebalancer-approver": {"get", "approve"},
	} {
		var role rbacv1.ClusterRole
		require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(find(t, objs, "ClusterRole", name).Object, &role))
		require.Equal(t, []rbacv1.PolicyRule{{APIGroups: []string{"autoscaler.vpsie.io"},
			Resources: []string{"nodegroups/rebalance"}, Verbs: verbs}}, role.Rules, name)
	}
}

// TestCostOptimizerBindingExampleApplies: the example of deploy/examples
// binds the viewer role and passes a server-side dry run.
func TestCostOptimizerBindingExampleApplies(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(deployDir(t), "examples", "cost-optimizer-binding.yaml"))
	require.NoError(t, err)
	o := &unstructured.Unstructured{}
	require.NoError(t, yaml.Unmarshal(b, &o.Object))
	var binding rbacv1.ClusterRoleBinding
	require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &binding))
	require.Equal(t, "rebalancer-viewer", binding.RoleRef.Name)
	a := newApplier(t)
	require.NoError(t, a.dryRun(t.Context(), o))
	require.Empty(t, a.takeWarnings())
}
