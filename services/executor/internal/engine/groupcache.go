package engine

import (
	"cmp"
	"context"
	"errors"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// GroupCache is the NodeGroups as a watch keeps them, for the reads that
// only judge a group: the live guards before every batch, the policy the
// node steps read at some steps, the reference of the group's Events. A
// watch delivers a change to the group (disabled, a window closed, the
// policy edited, the group recreated) within moments, so every rule is
// still held at every step, against state a watch keeps current instead
// of a GET per step (issue: 11 NodeGroup reads per replaced node).
//
// Only a group an execution of this installation holds (its lock,
// status.activeExecution) is served from the cache: that is every read of
// a run, the many. A group none of ours holds is read live: a plan's
// acceptance judges the group once, as it is this instant, so a plan sent
// right after an edit of its group meets the edit; and a group missing
// from the cache (created a moment ago) is looked for in the cluster.
//
// Writes, and the reads they start from, stay live: GroupCache serves Get
// and sends everything else (List included: the lock sweep writes back
// what it lists) to the cluster. A read-modify-write with the
// resourceVersion it read (the group's lock, status writes) reads live,
// since a cached copy a moment old would only buy it a conflict.
type GroupCache struct {
	live         autoscaler.Interface
	installation string
	informer     cache.SharedIndexInformer
	stop         context.CancelFunc
	done         chan struct{}
	stopOnce     sync.Once
}

var _ autoscaler.Interface = (*GroupCache)(nil)

// NewGroupCache prepares the cache of every namespace's NodeGroups read
// through live, for the executions of installation; Start runs it.
func NewGroupCache(live autoscaler.Interface, installation string) *GroupCache {
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return live.NodeGroups(metav1.NamespaceAll).List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return live.NodeGroups(metav1.NamespaceAll).Watch(ctx, opts)
		},
	}
	// No resync: nothing reacts to the cache, it is only read.
	inf := cache.NewSharedIndexInformer(listThenWatch{lw}, &v1alpha1.NodeGroup{}, 0,
		cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	return &GroupCache{live: live, installation: cmp.Or(installation, DefaultInstallation), informer: inf, done: make(chan struct{})}
}

// listThenWatch makes the reflector list and then watch rather than ask
// for a watch-list stream of initial events: that stream has flaked once
// on the Analyzer's NodeGroup informer, and a list of a few NodeGroups
// costs nothing to save.
type listThenWatch struct{ *cache.ListWatch }

// IsWatchListSemanticsUnSupported is what client-go's reflector asks.
func (listThenWatch) IsWatchListSemanticsUnSupported() bool { return true }

// Start runs the watch until Stop (or ctx ends).
func (c *GroupCache) Start(ctx context.Context) {
	ctx, c.stop = context.WithCancel(ctx)
	go func() {
		defer close(c.done)
		c.informer.RunWithContext(ctx)
	}()
}

// errGroupsNotSynced is what Ready and WaitForSync report until the first
// list is in.
var errGroupsNotSynced = errors.New("NodeGroup cache not synced yet")

// WaitForSync returns once the cache holds the first list, or ctx's error.
// No execution step runs before it: the engine starts after it.
func (c *GroupCache) WaitForSync(ctx context.Context) error {
	if !cache.WaitForCacheSync(ctx.Done(), c.informer.HasSynced) {
		return errors.Join(errGroupsNotSynced, ctx.Err())
	}
	return nil
}

// Ready is a readiness check: nil once synced.
func (c *GroupCache) Ready(context.Context) error {
	if !c.informer.HasSynced() {
		return errGroupsNotSynced
	}
	return nil
}

// Stop ends the watch and waits for it; a cache never started just stops.
func (c *GroupCache) Stop() {
	c.stopOnce.Do(func() {
		if c.stop == nil {
			return
		}
		c.stop()
		<-c.done
	})
}

// NodeGroups implements autoscaler.Interface: Get from the cache, the rest live.
func (c *GroupCache) NodeGroups(namespace string) autoscaler.NodeGroupInterface {
	return cachedGroups{NodeGroupInterface: c.live.NodeGroups(namespace), namespace: namespace, c: c}
}

type cachedGroups struct {
	autoscaler.NodeGroupInterface
	namespace string
	c         *GroupCache
}

// Get is the cached group, a copy its caller may change, when an
// execution of the installation holds it; any other is read live (see
// GroupCache), as is every group until the cache has synced (it is read
// before the engine starts only in tests).
func (g cachedGroups) Get(ctx context.Context, name string, opts metav1.GetOptions) (*v1alpha1.NodeGroup, error) {
	if !g.c.informer.HasSynced() {
		return g.NodeGroupInterface.Get(ctx, name, opts)
	}
	obj, ok, err := g.c.informer.GetIndexer().GetByKey(g.namespace + "/" + name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return g.NodeGroupInterface.Get(ctx, name, opts)
	}
	ng := obj.(*v1alpha1.NodeGroup)
	if h := ng.Status.ActiveExecution; h == nil || h.Installation != g.c.installation {
		return g.NodeGroupInterface.Get(ctx, name, opts)
	}
	return ng.DeepCopy(), nil
}

// groupReads is where the engine reads a group it only judges: the cache
// the checker reads (service.go hands both the GroupCache), else live.
func (d *Deps) groupReads() autoscaler.Interface {
	if d.checker.Groups != nil {
		return d.checker.Groups
	}
	return d.Groups
}
