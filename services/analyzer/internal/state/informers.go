package state

import (
	"context"
	"errors"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// Informers keeps a Cache current by watching the API server.
type Informers struct {
	*Cache
	factory   informers.SharedInformerFactory
	informers []cache.SharedIndexInformer
}

// NewInformers prepares the informers; Start runs them. No resync: the
// Analyzer reacts to nothing, it only reads the caches.
func NewInformers(client kubernetes.Interface, groups autoscaler.Interface) (*Informers, error) {
	f := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTransform(slim))
	nodes, pods := f.Core().V1().Nodes().Informer(), f.Core().V1().Pods().Informer()
	if err := nodes.AddIndexers(cache.Indexers{nodesByGroup: nodeGroupLabel}); err != nil {
		return nil, err
	}
	if err := pods.AddIndexers(cache.Indexers{podsByNode: podNodeName}); err != nil {
		return nil, err
	}
	pdbs := f.Policy().V1().PodDisruptionBudgets().Informer()
	replicaSets, deployments := f.Apps().V1().ReplicaSets().Informer(), f.Apps().V1().Deployments().Informer()
	sets := f.Apps().V1().StatefulSets().Informer()
	claims, volumes := f.Core().V1().PersistentVolumeClaims().Informer(), f.Core().V1().PersistentVolumes().Informer()
	nodeGroups := f.InformerFor(&v1alpha1.NodeGroup{}, nodeGroupInformer(groups))
	i := &Informers{factory: f, informers: []cache.SharedIndexInformer{
		nodes, pods, pdbs, replicaSets, deployments, sets, claims, volumes, nodeGroups,
	}}
	i.Cache = &Cache{synced: i.hasSynced, stores: stores{
		nodes: nodes.GetIndexer(), pods: pods.GetIndexer(), pdbs: pdbs.GetIndexer(),
		replicaSets: replicaSets.GetIndexer(), deployments: deployments.GetIndexer(), sets: sets.GetIndexer(),
		claims: claims.GetIndexer(), volumes: volumes.GetIndexer(), nodeGroups: nodeGroups.GetIndexer(),
	}}
	return i, nil
}

// nodeGroupInformer builds the NodeGroup informer through the factory, so
// it shares the factory's transform, start and shutdown.
func nodeGroupInformer(groups autoscaler.Interface) func(kubernetes.Interface, time.Duration) cache.SharedIndexInformer {
	return func(_ kubernetes.Interface, resync time.Duration) cache.SharedIndexInformer {
		lw := &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
				return groups.NodeGroups(metav1.NamespaceAll).List(ctx, opts)
			},
			WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
				return groups.NodeGroups(metav1.NamespaceAll).Watch(ctx, opts)
			},
		}
		return cache.NewSharedIndexInformer(cache.ToListWatcherWithWatchListSemantics(lw, groups),
			&v1alpha1.NodeGroup{}, resync, indexers(nil))
	}
}

// Start runs the informers until ctx ends or Stop is called.
func (i *Informers) Start(ctx context.Context) { i.factory.StartWithContext(ctx) }

// Stop ends the informers and waits for their goroutines. The context
// given to Start must have ended or be about to.
func (i *Informers) Stop() { i.factory.Shutdown() }

func (i *Informers) hasSynced() bool {
	for _, inf := range i.informers {
		if !inf.HasSynced() {
			return false
		}
	}
	return true
}

// errNotSynced is what the readiness check reports until every cache is full.
var errNotSynced = errors.New("informer caches not synced yet")

// Ready is a readiness check for server.Dependency: nil once synced.
func (i *Informers) Ready(context.Context) error {
	if !i.Synced() {
		return errNotSynced
	}
	return nil
}
