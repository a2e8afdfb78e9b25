package analysis_test

import (
	"context"
	"sort"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
)

// listingState is the benchmarks' baseline: it reads the way the original
// implementation did, listing every node, pod and budget of the cluster
// from the API for each request and filtering the lists, instead of asking
// indexed caches. A request starts with GroupNodes, so that is where it
// lists; the keyed reads (groups, controllers, volumes) stay on the cache,
// which only flatters the baseline. Not safe for concurrent requests.
type listingState struct {
	*state.Cache
	kube  kubernetes.Interface
	nodes []*corev1.Node
	pods  map[string][]*corev1.Pod
	pdbs  map[string][]*policyv1.PodDisruptionBudget
}

func (s *listingState) GroupNodes(group string) []*corev1.Node {
	ctx := context.Background()
	nodes, err := s.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		panic(err) // a fake clientset does not fail a list
	}
	pods, err := s.kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		panic(err)
	}
	pdbs, err := s.kube.PolicyV1().PodDisruptionBudgets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		panic(err)
	}
	s.nodes, s.pods, s.pdbs = nil, map[string][]*corev1.Pod{}, map[string][]*policyv1.PodDisruptionBudget{}
	var members []*corev1.Node
	for i := range nodes.Items {
		n := &nodes.Items[i]
		s.nodes = append(s.nodes, n)
		if n.Labels[v1alpha1.LabelNodeGroup] == group {
			members = append(members, n)
		}
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		s.pods[p.Spec.NodeName] = append(s.pods[p.Spec.NodeName], p)
	}
	for i := range pdbs.Items {
		b := &pdbs.Items[i]
		s.pdbs[b.Namespace] = append(s.pdbs[b.Namespace], b)
	}
	// The same orders as the cache answers in, so both analyses agree.
	sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	for _, ps := range s.pods {
		sort.Slice(ps, func(i, j int) bool {
			if ps[i].Namespace != ps[j].Namespace {
				return ps[i].Namespace < ps[j].Namespace
			}
			return ps[i].Name < ps[j].Name
		})
	}
	for _, bs := range s.pdbs {
		sort.Slice(bs, func(i, j int) bool { return bs[i].Name < bs[j].Name })
	}
	return members
}

func (s *listingState) Nodes() []*corev1.Node { return s.nodes }

func (s *listingState) PodsOnNode(node string) []*corev1.Pod { return s.pods[node] }

func (s *listingState) PDBs(namespace string) []*policyv1.PodDisruptionBudget {
	return s.pdbs[namespace]
}
