package deploytest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authzv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// access is one request a service account may or may not make.
type access struct {
	verb, group, resource, subresource, namespace string
	// path, when set, makes it a non-resource request (GET /readyz).
	path    string
	allowed bool
}

func (a access) String() string {
	if a.path != "" {
		return a.verb + " " + a.path
	}
	r := a.resource
	if a.group != "" {
		r += "." + a.group
	}
	if a.subresource != "" {
		r += "/" + a.subresource
	}
	if a.namespace != "" {
		r += " in " + a.namespace
	}
	return a.verb + " " + r
}

func allow(verb, group, resource, subresource, ns string) access {
	return access{verb: verb, group: group, resource: resource, subresource: subresource, namespace: ns, allowed: true}
}

func deny(verb, group, resource, subresource, ns string) access {
	return access{verb: verb, group: group, resource: resource, subresource: subresource, namespace: ns}
}

// workloadNS is any namespace the groups' pods run in: the roles are
// cluster-wide because groups and their pods may be anywhere.
const workloadNS = "shop"

// clusterScoped resources are asked about without a namespace.
var clusterScoped = map[string]bool{"nodes": true, "persistentvolumes": true}

func readAll(verbs []string, group string, resources ...string) []access {
	var out []access
	for _, r := range resources {
		ns := workloadNS
		if clusterScoped[r] {
			ns = ""
		}
		for _, v := range verbs {
			out = append(out, allow(v, group, r, "", ns))
		}
	}
	return out
}

var read = []string{"get", "list", "watch"}

// informAll is what an informer of resources across the cluster needs: to
// list and watch them in all namespaces at once (a namespaced grant in
// workloadNS would not do).
func informAll(group string, resources ...string) []access {
	var out []access
	for _, r := range resources {
		out = append(out, allow("list", group, r, "", ""), allow("watch", group, r, "", ""))
	}
	return out
}

// needs is what each service account must be allowed, and never is what a
// compromised pod of that service must not be able to do.
func needs() map[string][]access {
	analyzer := slices.Concat(
		readAll(read, "", "nodes", "pods", "persistentvolumeclaims", "persistentvolumes"),
		readAll(read, "policy", "poddisruptionbudgets"),
		readAll(read, "apps", "replicasets", "deployments", "statefulsets", "daemonsets"),
		readAll(read, "autoscaler.vpsie.io", "nodegroups"),
		[]access{{verb: "get", path: "/readyz", allowed: true}}, // kube.Readyz
	)
	executor := slices.Concat(
		readAll([]string{"get", "list", "watch", "patch", "update", "delete"}, "", "nodes"),
		readAll([]string{"get", "list", "watch", "delete"}, "", "pods"),
		[]access{allow("create", "", "pods", "eviction", workloadNS)},
		readAll(read, "policy", "poddisruptionbudgets"),
		readAll(read, "apps", "replicasets", "deployments", "statefulsets", "daemonsets"),
		readAll(read, "autoscaler.vpsie.io", "nodegroups"),
		informAll("", "pods"), // nodestep.KubeCache (nodes: readAll asks cluster-wide)
		informAll("policy", "poddisruptionbudgets"),
		informAll("apps", "replicasets", "deployments", "statefulsets", "daemonsets"),
		[]access{
			allow("update", "autoscaler.vpsie.io", "nodegroups", "status", workloadNS),
			allow("patch", "autoscaler.vpsie.io", "nodegroups", "status", workloadNS),
			allow("patch", "apps", "deployments", "", workloadNS), // a rollout moving a single replica
			allow("create", "", "events", "", "default"),
			allow("patch", "", "events", "", workloadNS),
			allow("create", "events.k8s.io", "events", "", workloadNS),
			allow("patch", "events.k8s.io", "events", "", "default"),
			{verb: "get", path: "/readyz", allowed: true},
		},
	)
	// Every service reviews its callers' tokens and calls.
	reviews := []access{
		allow("create", "authentication.k8s.io", "tokenreviews", "", ""),
		allow("create", "authorization.k8s.io", "subjectaccessreviews", "", ""),
	}
	analyzer, executor = append(analyzer, reviews...), append(executor, reviews...)
	return map[string][]access{
		"analyzer": append(analyzer,
			deny("create", "", "pods", "eviction", workloadNS),
			deny("delete", "", "pods", "", workloadNS),
			deny("patch", "", "nodes", "", ""),
			deny("update", "", "nodes", "", ""),
			deny("delete", "", "nodes", "", ""),
			deny("update", "autoscaler.vpsie.io", "nodegroups", "", workloadNS),
			deny("update", "autoscaler.vpsie.io", "nodegroups", "status", workloadNS),
			deny("patch", "autoscaler.vpsie.io", "nodegroups", "status", workloadNS),
			deny("get", "", "secrets", "", namespace),
			deny("list", "", "secrets", "", workloadNS),
			deny("create", "", "events", "", workloadNS),
			deny("update", "apps", "deployments", "", workloadNS),
			deny("patch", "apps", "deployments", "", workloadNS), // it reads whether a rollout surges; the executor restarts
		),
		"planner": append(slices.Clone(reviews),
			deny("get", "", "nodes", "", ""),
			deny("list", "", "pods", "", workloadNS),
			deny("get", "autoscaler.vpsie.io", "nodegroups", "", workloadNS),
			deny("list", "policy", "poddisruptionbudgets", "", workloadNS),
			deny("create", "", "events", "", namespace),
			deny("get", "", "secrets", "", namespace),
			deny("get", "", "configmaps", "", namespace),
			deny("create", "", "pods", "eviction", workloadNS),
			deny("create", "authorization.k8s.io", "localsubjectaccessreviews", "", workloadNS),
			deny("get", "autoscaler.vpsie.io", "nodegroups", "rebalance", workloadNS),
		),
		"executor": append(executor,
			deny("create", "", "pods", "", workloadNS),
			deny("update", "", "pods", "", workloadNS),
			deny("create", "", "nodes", "", ""),
			deny("delete", "", "namespaces", "", ""),
			deny("get", "", "secrets", "", namespace),
			deny("list", "", "secrets", "", workloadNS),
			deny("update", "autoscaler.vpsie.io", "nodegroups", "", workloadNS),
			deny("create", "autoscaler.vpsie.io", "nodegroups", "", workloadNS),
			deny("delete", "autoscaler.vpsie.io", "nodegroups", "", workloadNS),
			deny("delete", "apps", "deployments", "", workloadNS),
			deny("update", "apps", "deployments", "", workloadNS),
			deny("patch", "apps", "statefulsets", "", workloadNS),
			deny("delete", "policy", "poddisruptionbudgets", "", workloadNS),
			deny("create", "rbac.authorization.k8s.io", "clusterroles", "", ""),
			deny("create", "rbac.authorization.k8s.io", "clusterrolebindings", "", ""),
			deny("escalate", "rbac.authorization.k8s.io", "clusterroles", "", ""),
			deny("bind", "rbac.authorization.k8s.io", "clusterroles", "", ""),
			deny("impersonate", "", "serviceaccounts", "", namespace),
			deny("create", "", "serviceaccounts", "token", namespace),
		),
	}
}

func testRBAC(t *testing.T, objs []*unstructured.Unstructured) {
	checkRulesStatically(t, objs)

	a := newApplier(t)
	for _, o := range objs {
		switch o.GetKind() {
		case "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding":
			a.apply(t, o)
		}
	}
	cases := needs()
	// The authorizer learns of new bindings through its informers: wait
	// until the first allowed request of each account goes through.
	for _, sa := range []string{"analyzer", "planner", "executor"} {
		err := wait.PollUntilContextTimeout(t.Context(), 50*time.Millisecond, 10*time.Second, true,
			func(ctx context.Context) (bool, error) { return review(ctx, sa, cases[sa][0]) })
		require.NoError(t, err, "%s: bindings never took effect", sa)
	}
	for _, sa := range []string{"analyzer", "planner", "executor"} {
		for _, c := range cases[sa] {
			got, err := review(t.Context(), sa, c)
			require.NoError(t, err)
			verdict := map[bool]string{true: "allowed", false: "denied"}
			t.Logf("%-8s %-7s %s", sa, verdict[got], c)
			require.Equal(t, c.allowed, got, "%s: %s should be %s", sa, c, verdict[c.allowed])
		}
	}
}

// review asks the API server whether service account sa may make the
// request, as a token of that account would: with its groups.
func review(ctx context.Context, sa string, c access) (bool, error) {
	sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
		User:   fmt.Sprintf("system:serviceaccount:%s:%s", namespace, sa),
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"},
	}}
	if c.path != "" {
		sar.Spec.NonResourceAttributes = &authzv1.NonResourceAttributes{Verb: c.verb, Path: c.path}
	} else {
		sar.Spec.ResourceAttributes = &authzv1.ResourceAttributes{Verb: c.verb, Group: c.group,
			Resource: c.resource, Subresource: c.subresource, Namespace: c.namespace}
	}
	got, err := sandboxtest.Shared().Client.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
	if err != nil {
		return false, err
	}
	return got.Status.Allowed, nil
}

// checkRulesStatically catches what a table of examples cannot: a wildcard
// or a dangerous verb grants more than any list of checks would probe.
func checkRulesStatically(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	ours := map[string]bool{"analyzer": true, "planner": true, "executor": true}
	for _, o := range objs {
		switch o.GetKind() {
		case "ClusterRole", "Role":
			var role rbacv1.ClusterRole
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &role))
			require.Nil(t, role.AggregationRule, "%s aggregates other roles", key(o))
			for _, r := range role.Rules {
				for _, field := range [][]string{r.APIGroups, r.Resources, r.Verbs, r.ResourceNames} {
					require.NotContains(t, field, "*", "%s grants a wildcard", key(o))
				}
				require.Empty(t, r.NonResourceURLs, "%s grants non-resource URLs", key(o))
				require.NotContains(t, r.Resources, "secrets", "%s reads secrets", key(o))
				for _, v := range []string{"escalate", "bind", "impersonate"} {
					require.NotContains(t, r.Verbs, v, "%s may %s", key(o), v)
				}
			}
		case "ClusterRoleBinding", "RoleBinding":
			var b rbacv1.ClusterRoleBinding
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &b))
			require.True(t, strings.HasPrefix(b.RoleRef.Name, "vpsie-rebalancer-"), "%s binds %s, a role not ours", key(o), b.RoleRef.Name)
			for _, s := range b.Subjects {
				require.Equal(t, rbacv1.ServiceAccountKind, s.Kind, key(o))
				require.Equal(t, namespace, s.Namespace, key(o))
				require.True(t, ours[s.Name], "%s binds %s, which needs no role", key(o), s.Name)
			}
		}
	}
}
