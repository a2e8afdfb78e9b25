package deploytest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// applier applies rendered objects to the sandbox with server-side apply,
// the way `kubectl apply --server-side` does, and keeps the warnings the
// API server sends back (Pod Security among them).
type applier struct {
	client dynamic.Interface
	mapper meta.RESTMapper

	mu       sync.Mutex
	warnings []string
}

func newApplier(t *testing.T) *applier {
	t.Helper()
	a := &applier{}
	cfg := rest.CopyConfig(sandboxtest.Shared().RESTConfig)
	cfg.WarningHandler = a
	var err error
	a.client, err = dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	require.NoError(t, err)
	a.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
	return a
}

// HandleWarningHeader implements rest.WarningHandler.
func (a *applier) HandleWarningHeader(_ int, _ string, text string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.warnings = append(a.warnings, text)
}

func (a *applier) takeWarnings() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := a.warnings
	a.warnings = nil
	return w
}

func (a *applier) resource(o *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := o.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.client.Resource(m.Resource).Namespace(o.GetNamespace()), nil
	}
	return a.client.Resource(m.Resource), nil
}

// dryRun applies o with dryRun=All: every admission step and validation
// runs, nothing is stored.
func (a *applier) dryRun(ctx context.Context, o *unstructured.Unstructured) error {
	r, err := a.resource(o)
	if err != nil {
		return err
	}
	_, err = r.Apply(ctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: "deploytest", Force: true, DryRun: []string{metav1.DryRunAll}})
	return err
}

// apply really applies o and deletes it when the test ends. Objects are
// deleted in the reverse order of their creation, so the namespace goes
// last.
func (a *applier) apply(t *testing.T, o *unstructured.Unstructured) {
	t.Helper()
	r, err := a.resource(o)
	require.NoError(t, err, key(o))
	_, err = r.Apply(t.Context(), o.GetName(), o, metav1.ApplyOptions{FieldManager: "deploytest", Force: true})
	require.NoError(t, err, key(o))
	t.Cleanup(func() {
		// The test's context is gone by now.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := r.Delete(ctx, o.GetName(), metav1.DeleteOptions{})
		if !apierrors.IsNotFound(err) {
			require.NoError(t, err, "delete %s", key(o))
		}
	})
}

func find(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	require.FailNow(t, "not rendered", "%s %s", kind, name)
	return nil
}

// TestManifestsOnTheServer applies the namespace for real (namespaced
// objects validate only in a namespace that exists; the sandbox already
// serves the CRD), then runs the subtests against it; the namespace is
// deleted after them.
func TestManifestsOnTheServer(t *testing.T) {
	t.Parallel()
	objs := render(t, ".")
	newApplier(t).apply(t, find(t, objs, "Namespace", namespace))

	t.Run("every object passes a server-side dry run without warnings", func(t *testing.T) {
		t.Parallel()
		a := newApplier(t)
		for _, o := range objs {
			require.NoError(t, a.dryRun(t.Context(), o), "dry run %s", key(o))
		}
		require.Empty(t, a.takeWarnings())

		// The check above would pass if no warning could come: show that
		// a pod template breaking the restricted standard draws one.
		weak := find(t, objs, "Deployment", "planner").DeepCopy()
		containers, _, err := unstructured.NestedSlice(weak.Object, "spec", "template", "spec", "containers")
		require.NoError(t, err)
		require.NoError(t, unstructured.SetNestedField(containers[0].(map[string]any), true,
			"securityContext", "allowPrivilegeEscalation"))
		require.NoError(t, unstructured.SetNestedSlice(weak.Object, containers, "spec", "template", "spec", "containers"))
		require.NoError(t, a.dryRun(t.Context(), weak))
		require.NotEmpty(t, a.takeWarnings(), "Pod Security should warn about allowPrivilegeEscalation")
	})

	// The operator's overlay of deploy/README.md, with the split-roles
	// component: the rollback-handler Deployment and budget, and the
	// executor patched.
	t.Run("so does every object with the split-roles component", func(t *testing.T) {
		t.Parallel()
		a := newApplier(t)
		for _, o := range renderSplitRoles(t) {
			require.NoError(t, a.dryRun(t.Context(), o), "dry run %s", key(o))
		}
		require.Empty(t, a.takeWarnings())
	})

	// With the tls component: cert-manager's objects are not served by the
	// sandbox (no cert-manager CRDs), so they are checked statically in
	// tls_test.go; everything else goes to the API server.
	t.Run("so does every object but cert-manager's with the tls component", func(t *testing.T) {
		t.Parallel()
		a := newApplier(t)
		for _, o := range renderTLS(t) {
			if certManager(o) {
				_, err := a.resource(o)
				require.True(t, meta.IsNoMatchError(err), "%s: the sandbox serves cert-manager now; dry-run it too", key(o))
				continue
			}
			require.NoError(t, a.dryRun(t.Context(), o), "dry run %s", key(o))
		}
		require.Empty(t, a.takeWarnings())
	})

	t.Run("each service account may do what its service needs and nothing more", func(t *testing.T) {
		t.Parallel()
		testRBAC(t, objs)
	})
}
