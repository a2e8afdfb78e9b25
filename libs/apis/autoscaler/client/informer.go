package client

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// NewNodeGroupInformer returns an informer of the NodeGroups of namespace
// (metav1.NamespaceAll for every namespace), indexed by namespace, so
// readers serve from a cache instead of listing per request. resync 0
// never replays the cache to handlers.
func NewNodeGroupInformer(c Interface, namespace string, resync time.Duration) cache.SharedIndexInformer {
	groups := func() NodeGroupInterface { return c.NodeGroups(namespace) }
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return groups().List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return groups().Watch(ctx, opts)
		},
	}
	// The fake client cannot stream a watch-list; it says so, as client-go's
	// fakes do, and the reflector falls back to list-then-watch.
	return cache.NewSharedIndexInformer(cache.ToListWatcherWithWatchListSemantics(lw, c),
		&v1alpha1.NodeGroup{}, resync, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
}
