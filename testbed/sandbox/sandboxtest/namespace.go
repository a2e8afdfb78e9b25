package sandboxtest

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Namespace creates a namespace for the test, named after it, and deletes
// it (with everything in it) when the test ends. It returns once pods can
// be created there, that is once its default service account exists.
func Namespace(t testing.TB) string {
	t.Helper()
	client := Shared().Client
	ns, err := client.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: namePrefix(t.Name())},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		// The test's context is gone by now. Deletion finishes in the
		// background; the next test does not wait for it.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := client.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{})
		require.NoError(t, err)
	})
	err = wait.PollUntilContextTimeout(t.Context(), 50*time.Millisecond, 30*time.Second, true,
		func(ctx context.Context) (bool, error) {
			_, err := client.CoreV1().ServiceAccounts(ns.Name).Get(ctx, "default", metav1.GetOptions{})
			return err == nil, nil
		})
	require.NoError(t, err, "namespace %s got no default service account", ns.Name)
	return ns.Name
}

var notName = regexp.MustCompile(`[^a-z0-9]+`)

// namePrefix makes a short DNS label from a test name. It stays short so
// node names built from it (namespace, group, index) fit in a label value.
func namePrefix(testName string) string {
	name := notName.ReplaceAllString(strings.ToLower(testName), "-")
	name = strings.Trim(strings.TrimPrefix(name, "test"), "-")
	if len(name) > 20 {
		name = strings.TrimRight(name[:20], "-")
	}
	if name == "" {
		name = "test"
	}
	return name + "-"
}
