package crdtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// The typed client's list and watch work against a real API server, so an
// informer over it sees changes, status included.
func TestInformerSeesNodeGroupChanges(t *testing.T) {
	t.Parallel()
	ns := sandboxtest.Namespace(t)
	groups := sandboxtest.Shared().Autoscaler.NodeGroups(ns)
	informer := client.NewNodeGroupInformer(sandboxtest.Shared().Autoscaler, ns, 0)
	go informer.Run(t.Context().Done())
	require.True(t, cache.WaitForCacheSync(t.Context().Done(), informer.HasSynced))

	ng, err := groups.Create(t.Context(), valid(ns), metav1.CreateOptions{})
	require.NoError(t, err)
	ng.Status.ReadyNodes = 3
	_, err = groups.UpdateStatus(t.Context(), ng, metav1.UpdateOptions{})
	require.NoError(t, err)

	err = wait.PollUntilContextTimeout(t.Context(), 20*time.Millisecond, 10*time.Second, true,
		func(context.Context) (bool, error) {
			obj, ok, err := informer.GetStore().GetByKey(ns + "/" + ng.Name)
			return ok && obj.(*v1alpha1.NodeGroup).Status.ReadyNodes == 3, err
		})
	require.NoError(t, err)
}
