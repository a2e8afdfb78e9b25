package nodestep

import (
	"context"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	policylisters "k8s.io/client-go/listers/policy/v1"
	"k8s.io/client-go/tools/cache"
)

// KubeCache is a Kube whose reads of pods, budgets and workloads come
// from shared informers, one set per Executor process, and whose writes
// go to the API server. At 100 nodes the live reads of the waits (a
// ReplicaSet and its Deployment every Poll, a node's pods and its
// namespace's budgets every drain round) were most of the Executor's
// requests; the informers' one list and one watch per kind replace them,
// and their events wake the waits (kubecache_wake.go) instead of a poll.
//
// Which reads stay live, and why:
//   - Nodes (GetNode, ListNodes, WatchNodes): every GetNode feeds a
//     read-modify-write tested against the resourceVersion read (marks,
//     taints, a claim), where a stale copy is a conflict and a retry. The
//     node informer serves the join's wait, the floor check
//     (CachedGroupNodes; it lays the execution's own cordons over the
//     informer's view, floor.go, since it must count the cordon another
//     lane wrote a moment ago) and the waits' wake-ups.
//   - Secrets: one read per provisioning, and watching every Secret of the
//     cluster would need a grant the Executor must not have.
//
// Reads that see the Executor's own writes: a pod it evicted or deleted
// is answered as leaving (a deletion timestamp set on the copy) until the
// informer has seen it go, so a drain round never evicts it twice; a
// Deployment it patched is read live until the informer has the
// generation the patch returned, so verify never judges the template
// before the restart. A restart (rollout.go) reads the Deployment it
// patches from the cache: its patch carries the resourceVersion read, so
// a stale copy is refused (409) and tried again next round, never applied.
//
// Objects returned are copies the caller owns, except PodsOn's and
// PodsMatching's pods, which are shallow copies sharing labels, slices and
// statuses with the cache, and PDBs', which are the cache's: callers read
// them and never write (the steps do not).
type KubeCache struct {
	live    clientset
	factory informers.SharedInformerFactory

	nodes        cache.SharedIndexInformer
	pods         cache.SharedIndexInformer
	pdbs         policylisters.PodDisruptionBudgetLister
	replicaSets  appslisters.ReplicaSetLister
	deployments  appslisters.DeploymentLister
	statefulSets appslisters.StatefulSetLister
	daemonSets   appslisters.DaemonSetLister
	nodeLister   corelisters.NodeLister
	podLister    corelisters.PodLister

	hub hub

	mu sync.Mutex
	// leaving are the pods this process evicted or deleted (by UID, with
	// when), until the informer sees them deleted or deleting.
	leaving map[types.UID]metav1.Time
	// patched are the generations of the Deployments ("namespace/name")
	// this process patched, until the informer has them.
	patched map[string]int64

	cancel context.CancelFunc
}

var _ Kube = (*KubeCache)(nil)

// podsByNode indexes pods by spec.nodeName, so PodsOn is a look-up.
const podsByNode = "spec.nodeName"

// NewKubeCache builds the informers over c; Start runs and syncs them.
func NewKubeCache(c kubernetes.Interface) *KubeCache {
	// managedFields are most of an object's size and no step reads them.
	f := informers.NewSharedInformerFactoryWithOptions(c, 0, informers.WithTransform(stripManagedFields))
	k := &KubeCache{live: clientset{c}, factory: f, leaving: map[types.UID]metav1.Time{}, patched: map[string]int64{}}
	k.nodes, k.nodeLister = f.Core().V1().Nodes().Informer(), f.Core().V1().Nodes().Lister()
	k.pods, k.podLister = f.Core().V1().Pods().Informer(), f.Core().V1().Pods().Lister()
	k.pdbs = f.Policy().V1().PodDisruptionBudgets().Lister()
	k.replicaSets = f.Apps().V1().ReplicaSets().Lister()
	k.deployments = f.Apps().V1().Deployments().Lister()
	k.statefulSets = f.Apps().V1().StatefulSets().Lister()
	k.daemonSets = f.Apps().V1().DaemonSets().Lister()
	// Adding an indexer fails only once the informer runs; it does not yet.
	_ = k.pods.AddIndexers(cache.Indexers{podsByNode: func(obj any) ([]string, error) {
		if p, ok := obj.(*corev1.Pod); ok && p.Spec.NodeName != "" {
			return []string{p.Spec.NodeName}, nil
		}
		return nil, nil
	}})
	k.watchEvents(f)
	return k
}

func stripManagedFields(obj any) (any, error) {
	if a, err := meta.Accessor(obj); err == nil {
		a.SetManagedFields(nil)
	}
	return obj, nil
}

// Start runs the informers until Stop and waits, at most until ctx ends,
// for their first lists: no step may read a cache that is still empty.
func (k *KubeCache) Start(ctx context.Context) error {
	run, cancel := context.WithCancel(context.Background())
	k.mu.Lock()
	k.cancel = cancel
	k.mu.Unlock()
	k.factory.StartWithContext(run)
	if err := k.factory.WaitForCacheSyncWithContext(ctx).AsError(); err != nil {
		return fmt.Errorf("informer caches of the node steps: %w", err)
	}
	// Stopped before it started, the factory starts nothing and so has
	// nothing to wait for: that is no sync.
	return ctx.Err()
}

// Stop stops the informers and waits for them to end. The listers keep
// answering what they last saw.
func (k *KubeCache) Stop() {
	k.mu.Lock()
	cancel := k.cancel
	k.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	k.factory.Shutdown()
}

func (k *KubeCache) GetNode(ctx context.Context, name string) (*corev1.Node, error) {
	return k.live.GetNode(ctx, name)
}

func (k *KubeCache) ListNodes(ctx context.Context, opts metav1.ListOptions) (*corev1.NodeList, error) {
	return k.live.ListNodes(ctx, opts)
}

// CachedGroupNodes are the nodes selector selects as the informer has
// them: for waits that only look (a replacement joining), never for the
// floor check (see KubeCache).
func (k *KubeCache) CachedGroupNodes(selector labels.Selector) ([]corev1.Node, error) {
	nodes, err := k.nodeLister.List(selector)
	if err != nil {
		return nil, err
	}
	out := make([]corev1.Node, len(nodes))
	for i, n := range nodes {
		out[i] = *n.DeepCopy()
	}
	return out, nil
}

func (k *KubeCache) WatchNodes(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	return k.live.WatchNodes(ctx, opts)
}

func (k *KubeCache) PatchNode(ctx context.Context, name string, pt types.PatchType, patch []byte) error {
	return k.live.PatchNode(ctx, name, pt, patch)
}

func (k *KubeCache) DeleteNode(ctx context.Context, name string) error {
	return k.live.DeleteNode(ctx, name)
}

func (k *KubeCache) GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	return k.live.GetSecret(ctx, namespace, name)
}

// PodsOn looks the node's pods up in the index by spec.nodeName.
func (k *KubeCache) PodsOn(_ context.Context, node string) ([]corev1.Pod, error) {
	objs, err := k.pods.GetIndexer().ByIndex(podsByNode, node)
	if err != nil {
		return nil, err
	}
	out := make([]corev1.Pod, 0, len(objs))
	for _, o := range objs {
		if p, ok := o.(*corev1.Pod); ok {
			out = append(out, k.asSeen(p))
		}
	}
	return out, nil
}

func (k *KubeCache) PodsMatching(_ context.Context, namespace string, selector labels.Selector) ([]corev1.Pod, error) {
	pods, err := k.podLister.Pods(namespace).List(selector)
	if err != nil {
		return nil, err
	}
	out := make([]corev1.Pod, len(pods))
	for i, p := range pods {
		out[i] = k.asSeen(p)
	}
	return out, nil
}

// asSeen is a shallow copy of p, answered as leaving when this process
// evicted or deleted it and the informer has not caught up yet.
func (k *KubeCache) asSeen(p *corev1.Pod) corev1.Pod {
	out := *p
	if p.DeletionTimestamp != nil {
		return out
	}
	k.mu.Lock()
	at, ok := k.leaving[p.UID]
	k.mu.Unlock()
	if ok {
		out.DeletionTimestamp = &at
	}
	return out
}

// Evict goes to the API server; an eviction admitted marks the pod leaving
// until the informer sees it so.
func (k *KubeCache) Evict(ctx context.Context, eviction *policyv1.Eviction) error {
	err := k.live.Evict(ctx, eviction)
	if err == nil {
		k.markLeaving(eviction.DeleteOptions)
	}
	return err
}

func (k *KubeCache) DeletePod(ctx context.Context, namespace, name string, opts metav1.DeleteOptions) error {
	err := k.live.DeletePod(ctx, namespace, name, opts)
	if err == nil {
		k.markLeaving(&opts)
	}
	return err
}

// markLeaving remembers the pod a deletion named by its UID precondition
// (the steps always send one); without one there is nothing to tell the
// pod by.
func (k *KubeCache) markLeaving(opts *metav1.DeleteOptions) {
	if opts == nil || opts.Preconditions == nil || opts.Preconditions.UID == nil {
		return
	}
	k.mu.Lock()
	k.leaving[*opts.Preconditions.UID] = metav1.Now()
	k.mu.Unlock()
}

// podSeen forgets a pod the informer now shows leaving or gone.
func (k *KubeCache) podSeen(p *corev1.Pod, deleted bool) {
	if !deleted && p.DeletionTimestamp == nil {
		return
	}
	k.mu.Lock()
	delete(k.leaving, p.UID)
	k.mu.Unlock()
}

// PDBs are the cache's own objects: callers only read them.
func (k *KubeCache) PDBs(_ context.Context, namespace string) ([]*policyv1.PodDisruptionBudget, error) {
	return k.pdbs.PodDisruptionBudgets(namespace).List(labels.Everything())
}

func (k *KubeCache) GetDaemonSet(_ context.Context, namespace, name string) (*appsv1.DaemonSet, error) {
	d, err := k.daemonSets.DaemonSets(namespace).Get(name)
	if err != nil {
		return nil, err
	}
	return d.DeepCopy(), nil
}

func (k *KubeCache) GetReplicaSet(_ context.Context, namespace, name string) (*appsv1.ReplicaSet, error) {
	rs, err := k.replicaSets.ReplicaSets(namespace).Get(name)
	if err != nil {
		return nil, err
	}
	return rs.DeepCopy(), nil
}

// GetDeployment reads the cache, unless this process patched the
// Deployment and the cache does not have that generation yet: then the
// API server answers, so a judgement of availability (observedGeneration
// against generation) never sees the template before the restart.
func (k *KubeCache) GetDeployment(ctx context.Context, namespace, name string) (*appsv1.Deployment, error) {
	key := namespace + "/" + name
	d, err := k.deployments.Deployments(namespace).Get(name)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	k.mu.Lock()
	want, patched := k.patched[key]
	if patched && d != nil && d.Generation >= want {
		delete(k.patched, key)
		patched = false
	}
	k.mu.Unlock()
	if patched {
		return k.live.GetDeployment(ctx, namespace, name)
	}
	if err != nil {
		return nil, err
	}
	return d.DeepCopy(), nil
}

func (k *KubeCache) GetStatefulSet(_ context.Context, namespace, name string) (*appsv1.StatefulSet, error) {
	s, err := k.statefulSets.StatefulSets(namespace).Get(name)
	if err != nil {
		return nil, err
	}
	return s.DeepCopy(), nil
}

// PatchDeployment goes to the API server and remembers the generation it
// returned (see GetDeployment).
func (k *KubeCache) PatchDeployment(ctx context.Context, namespace, name string, pt types.PatchType, patch []byte) error {
	d, err := k.live.c.AppsV1().Deployments(namespace).Patch(ctx, name, pt, patch, metav1.PatchOptions{})
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.patched[namespace+"/"+name] = d.Generation
	k.mu.Unlock()
	return nil
}
