package fake_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client/fake"
)

func TestInformerFollowsTheClient(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset(group("a", "web"))
	informer := client.NewNodeGroupInformer(cs, metav1.NamespaceAll, 0)
	go informer.Run(t.Context().Done())
	require.True(t, cache.WaitForCacheSync(t.Context().Done(), informer.HasSynced))

	_, err := cs.NodeGroups("b").Create(t.Context(), group("b", "api"), metav1.CreateOptions{})
	require.NoError(t, err)
	err = wait.PollUntilContextTimeout(t.Context(), 10*time.Millisecond, 5*time.Second, true,
		func(context.Context) (bool, error) { return len(informer.GetStore().List()) == 2, nil })
	require.NoError(t, err)
	inB, err := informer.GetIndexer().ByIndex(cache.NamespaceIndex, "b")
	require.NoError(t, err)
	require.Len(t, inB, 1)
}
