package state

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// Static returns a Cache holding objects, always synced, indexed and
// slimmed exactly as the informers' caches are. Tests and benchmarks use
// it to put a cluster state in front of the Analyzer without a server.
// The objects are copied first. It panics on a kind it does not cache.
func Static(objects ...runtime.Object) *Cache {
	s := stores{
		nodes:       cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers(cache.Indexers{nodesByGroup: nodeGroupLabel})),
		pods:        cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers(cache.Indexers{podsByNode: podNodeName})),
		pdbs:        cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers(nil)),
		replicaSets: cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers(nil)),
		deployments: cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers(nil)),
		sets:        cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers(nil)),
		claims:      cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers(nil)),
		volumes:     cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers(nil)),
		nodeGroups:  cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers(nil)),
	}
	for _, obj := range objects {
		slimmed, _ := slim(obj.DeepCopyObject())
		if err := s.storeFor(obj).Add(slimmed); err != nil {
			panic(err) // a key function error: an object without a name
		}
	}
	return &Cache{stores: s, synced: func() bool { return true }}
}

func (s stores) storeFor(obj runtime.Object) cache.Indexer {
	switch obj.(type) {
	case *corev1.Node:
		return s.nodes
	case *corev1.Pod:
		return s.pods
	case *policyv1.PodDisruptionBudget:
		return s.pdbs
	case *appsv1.ReplicaSet:
		return s.replicaSets
	case *appsv1.Deployment:
		return s.deployments
	case *appsv1.StatefulSet:
		return s.sets
	case *corev1.PersistentVolumeClaim:
		return s.claims
	case *corev1.PersistentVolume:
		return s.volumes
	case *v1alpha1.NodeGroup:
		return s.nodeGroups
	}
	panic(fmt.Sprintf("state.Static: %T is not cached", obj))
}
