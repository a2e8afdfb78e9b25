package fake_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	clienttesting "k8s.io/client-go/testing"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client/fake"
	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

func group(ns, name string) *v1alpha1.NodeGroup {
	return &v1alpha1.NodeGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

func TestFakeStoresListsAndWatches(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset(group("a", "web"))
	groups := cs.NodeGroups("a")
	w, err := groups.Watch(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	defer w.Stop()

	_, err = groups.Create(t.Context(), group("a", "api"), metav1.CreateOptions{})
	require.NoError(t, err)
	event := <-w.ResultChan()
	require.Equal(t, watch.Added, event.Type)
	require.Equal(t, "api", event.Object.(*v1alpha1.NodeGroup).Name)

	list, err := groups.List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	require.Len(t, list.Items, 2)
	other, err := cs.NodeGroups("b").List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	require.Empty(t, other.Items)

	got, err := groups.Get(t.Context(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	got.Status.ReadyNodes = 2
	_, err = groups.UpdateStatus(t.Context(), got, metav1.UpdateOptions{})
	require.NoError(t, err)
	require.Equal(t, "update", cs.Actions()[len(cs.Actions())-1].GetVerb())
	require.Equal(t, "status", cs.Actions()[len(cs.Actions())-1].GetSubresource())
}

// Tests inject the next error the way client-go's fakes do.
func TestFakeInjectsErrors(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset()
	boom := errors.New("boom")
	cs.PrependReactor("create", "nodegroups", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, boom
	})
	_, err := cs.NodeGroups("a").Create(t.Context(), group("a", "web"), metav1.CreateOptions{})
	require.ErrorIs(t, err, boom)
}
