// Package state is the Analyzer's view of the cluster: shared informer
// caches of nodes, pods, PodDisruptionBudgets, the controllers that own
// pods, volumes and NodeGroups, with indexes for the questions an analysis
// asks. Reads never reach the API server; objects are shared and must not
// be modified.
package state

import (
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/client-go/tools/cache"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// stores are the indexers behind the caches, one per kind.
type stores struct {
	nodes, pods, pdbs              cache.Indexer
	replicaSets, deployments, sets cache.Indexer
	claims, volumes, nodeGroups    cache.Indexer
}

// Cache answers the Analyzer's questions from the stores. Every method is
// safe for concurrent use.
type Cache struct {
	stores
	synced func() bool
}

// Synced reports whether every cache has its initial list. Before that, an
// answer could miss objects, so callers refuse to analyse.
func (c *Cache) Synced() bool { return c.synced() }

// NodeGroup returns the NodeGroup namespace/name.
func (c *Cache) NodeGroup(namespace, name string) (*v1alpha1.NodeGroup, bool) {
	return get[*v1alpha1.NodeGroup](c.nodeGroups, namespace, name)
}

// GroupNodes returns the nodes labelled as members of group, by name.
func (c *Cache) GroupNodes(group string) []*corev1.Node {
	nodes := byIndex[*corev1.Node](c.nodes, nodesByGroup, group)
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	return nodes
}

// Nodes returns every node of the cluster, in no particular order.
func (c *Cache) Nodes() []*corev1.Node { return all[*corev1.Node](c.nodes) }

// PodsOnNode returns the pods bound to the node, by namespace and name.
func (c *Cache) PodsOnNode(node string) []*corev1.Pod {
	pods := byIndex[*corev1.Pod](c.pods, podsByNode, node)
	sort.Slice(pods, func(i, j int) bool {
		if pods[i].Namespace != pods[j].Namespace {
			return pods[i].Namespace < pods[j].Namespace
		}
		return pods[i].Name < pods[j].Name
	})
	return pods
}

// PDBs returns the PodDisruptionBudgets of a namespace, by name.
func (c *Cache) PDBs(namespace string) []*policyv1.PodDisruptionBudget {
	pdbs := byIndex[*policyv1.PodDisruptionBudget](c.pdbs, cache.NamespaceIndex, namespace)
	sort.Slice(pdbs, func(i, j int) bool { return pdbs[i].Name < pdbs[j].Name })
	return pdbs
}

// ReplicaSet returns namespace/name; its pod template is not kept.
func (c *Cache) ReplicaSet(namespace, name string) (*appsv1.ReplicaSet, bool) {
	return get[*appsv1.ReplicaSet](c.replicaSets, namespace, name)
}

// Deployment returns namespace/name; its pod template is not kept.
func (c *Cache) Deployment(namespace, name string) (*appsv1.Deployment, bool) {
	return get[*appsv1.Deployment](c.deployments, namespace, name)
}

// StatefulSet returns namespace/name; its templates are not kept.
func (c *Cache) StatefulSet(namespace, name string) (*appsv1.StatefulSet, bool) {
	return get[*appsv1.StatefulSet](c.sets, namespace, name)
}

// PersistentVolumeClaim returns namespace/name.
func (c *Cache) PersistentVolumeClaim(namespace, name string) (*corev1.PersistentVolumeClaim, bool) {
	return get[*corev1.PersistentVolumeClaim](c.claims, namespace, name)
}

// PersistentVolume returns the cluster-scoped volume name.
func (c *Cache) PersistentVolume(name string) (*corev1.PersistentVolume, bool) {
	return get[*corev1.PersistentVolume](c.volumes, "", name)
}

func get[T any](store cache.Indexer, namespace, name string) (T, bool) {
	key := name
	if namespace != "" {
		key = namespace + "/" + name
	}
	obj, ok, err := store.GetByKey(key)
	var zero T
	if err != nil || !ok {
		return zero, false
	}
	typed, ok := obj.(T)
	return typed, ok
}

func byIndex[T any](store cache.Indexer, index, value string) []T {
	objs, err := store.ByIndex(index, value)
	if err != nil {
		return nil // only an unknown index name errs, which a test catches
	}
	return typed[T](objs)
}

func all[T any](store cache.Indexer) []T { return typed[T](store.List()) }

func typed[T any](objs []any) []T {
	out := make([]T, 0, len(objs))
	for _, obj := range objs {
		if t, ok := obj.(T); ok {
			out = append(out, t)
		}
	}
	return out
}
