package nodestep

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// smallKube is a Kube in memory, small enough to read whole: Nodes,
// pods, and the workloads and budgets the steps look up; the three kinds
// of node patch the steps send, applied as the API server applies them;
// the Eviction API, whose answer a test sets per pod; and a log of every
// write. Nothing changes on its own: a watch never says anything.
type smallKube struct {
	mu          sync.Mutex
	rv          int
	nodes       map[string]*corev1.Node
	pods        map[string]*corev1.Pod // by "namespace/name"
	pdbs        []*policyv1.PodDisruptionBudget
	daemonSets  map[string]*appsv1.DaemonSet // by "namespace/name"
	replicaSets map[string]*appsv1.ReplicaSet
	deployments map[string]*appsv1.Deployment
	secrets     map[string]*corev1.Secret // by "namespace/name"
	// evictions is the Eviction API's answer by pod; none admits the
	// eviction, and the pod goes.
	evictions map[string]error
	// writes logs each write as "verb kind name (detail)".
	writes []string
	// watches counts the watches of Nodes opened.
	watches int
}

var _ Kube = (*smallKube)(nil)

func newSmallKube() *smallKube {
	return &smallKube{nodes: map[string]*corev1.Node{}, pods: map[string]*corev1.Pod{},
		daemonSets: map[string]*appsv1.DaemonSet{}, replicaSets: map[string]*appsv1.ReplicaSet{},
		deployments: map[string]*appsv1.Deployment{}, secrets: map[string]*corev1.Secret{}, evictions: map[string]error{}}
}

func (k *smallKube) addNode(n *corev1.Node) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.rv++
	n = n.DeepCopy()
	n.ResourceVersion = strconv.Itoa(k.rv)
	k.nodes[n.Name] = n
}

func (k *smallKube) addPod(p *corev1.Pod) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.pods[key(p)] = p.DeepCopy()
}

func (k *smallKube) node(name string) *corev1.Node {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.nodes[name].DeepCopy()
}

// written counts the writes logged with prefix.
func (k *smallKube) written(prefix string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, w := range k.writes {
		if strings.HasPrefix(w, prefix) {
			n++
		}
	}
	return n
}

func (k *smallKube) GetNode(_ context.Context, name string) (*corev1.Node, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	n, ok := k.nodes[name]
	if !ok {
		return nil, apierrors.NewNotFound(corev1.Resource("nodes"), name)
	}
	return n.DeepCopy(), nil
}

func (k *smallKube) ListNodes(_ context.Context, opts metav1.ListOptions) (*corev1.NodeList, error) {
	sel, err := labels.Parse(opts.LabelSelector)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	list := &corev1.NodeList{ListMeta: metav1.ListMeta{ResourceVersion: strconv.Itoa(k.rv)}}
	for _, n := range k.nodes {
		if sel.Matches(labels.Set(n.Labels)) {
			list.Items = append(list.Items, *n.DeepCopy())
		}
	}
	return list, nil
}

// WatchNodes refuses the watch-list mode (a reflector then lists first,
// as against API servers without it) and otherwise watches a cluster
// where nothing happens.
func (k *smallKube) WatchNodes(_ context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	if opts.SendInitialEvents != nil {
		return nil, apierrors.NewBadRequest("sendInitialEvents is not supported")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.watches++
	return watch.NewFake(), nil
}

func (k *smallKube) watched() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.watches
}

func (k *smallKube) PatchNode(_ context.Context, name string, pt types.PatchType, patch []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	n, ok := k.nodes[name]
	if !ok {
		return apierrors.NewNotFound(corev1.Resource("nodes"), name)
	}
	if err := preconditionMet(n, patch); err != nil {
		return err
	}
	doc, err := json.Marshal(n)
	if err != nil {
		return err
	}
	doc, err = applyPatch(doc, pt, patch)
	if err != nil {
		return err
	}
	next := &corev1.Node{}
	if err := json.Unmarshal(doc, next); err != nil {
		return err
	}
	k.rv++
	next.ResourceVersion = strconv.Itoa(k.rv)
	k.nodes[name] = next
	k.writes = append(k.writes, fmt.Sprintf("patch node %s (%s)", name, pt))
	return nil
}

func (k *smallKube) GetSecret(_ context.Context, namespace, name string) (*corev1.Secret, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s := k.secrets[namespace+"/"+name]; s != nil {
		return s.DeepCopy(), nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("secrets"), name)
}

func (k *smallKube) DeleteNode(_ context.Context, name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.nodes[name]; !ok {
		return apierrors.NewNotFound(corev1.Resource("nodes"), name)
	}
	delete(k.nodes, name)
	k.writes = append(k.writes, "delete node "+name)
	return nil
}

// preconditionMet refuses, as the API server does, a patch carrying a
// resourceVersion other than the node's.
func preconditionMet(n *corev1.Node, patch []byte) error {
	var meta struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if json.Unmarshal(patch, &meta) == nil && meta.Metadata.ResourceVersion != "" && meta.Metadata.ResourceVersion != n.ResourceVersion {
		return apierrors.NewConflict(corev1.Resource("nodes"), n.Name, fmt.Errorf("resourceVersion %s is not %s", meta.Metadata.ResourceVersion, n.ResourceVersion))
	}
	return nil
}
