package nodestep

import (
	"context"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// NewKube adapts a clientset to Kube.
func NewKube(c kubernetes.Interface) Kube { return clientset{c} }

type clientset struct{ c kubernetes.Interface }

func (k clientset) GetNode(ctx context.Context, name string) (*corev1.Node, error) {
	return k.c.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
}

func (k clientset) ListNodes(ctx context.Context, opts metav1.ListOptions) (*corev1.NodeList, error) {
	return k.c.CoreV1().Nodes().List(ctx, opts)
}

func (k clientset) WatchNodes(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	return k.c.CoreV1().Nodes().Watch(ctx, opts)
}

func (k clientset) PatchNode(ctx context.Context, name string, pt types.PatchType, patch []byte) error {
	_, err := k.c.CoreV1().Nodes().Patch(ctx, name, pt, patch, metav1.PatchOptions{})
	return err
}

func (k clientset) GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	return k.c.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (k clientset) DeleteNode(ctx context.Context, name string) error {
	return k.c.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
}

// PodsOn asks the API server to select the node's pods and keeps only
// those again: a client that ignores field selectors (a fake clientset)
// still answers what the method says.
func (k clientset) PodsOn(ctx context.Context, node string) ([]corev1.Pod, error) {
	list, err := k.c.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("spec.nodeName", node).String(),
	})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list.Items, func(p corev1.Pod) bool { return p.Spec.NodeName != node }), nil
}

// PodsMatching, like PodsOn, filters again what the server answered.
func (k clientset) PodsMatching(ctx context.Context, namespace string, selector labels.Selector) ([]corev1.Pod, error) {
	list, err := k.c.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list.Items, func(p corev1.Pod) bool { return !selector.Matches(labels.Set(p.Labels)) }), nil
}

func (k clientset) Evict(ctx context.Context, eviction *policyv1.Eviction) error {
	return k.c.PolicyV1().Evictions(eviction.Namespace).Evict(ctx, eviction)
}

func (k clientset) DeletePod(ctx context.Context, namespace, name string, opts metav1.DeleteOptions) error {
	return k.c.CoreV1().Pods(namespace).Delete(ctx, name, opts)
}

func (k clientset) PDBs(ctx context.Context, namespace string) ([]*policyv1.PodDisruptionBudget, error) {
	list, err := k.c.PolicyV1().PodDisruptionBudgets(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]*policyv1.PodDisruptionBudget, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out, nil
}

func (k clientset) GetDaemonSet(ctx context.Context, namespace, name string) (*appsv1.DaemonSet, error) {
	return k.c.AppsV1().DaemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (k clientset) GetReplicaSet(ctx context.Context, namespace, name string) (*appsv1.ReplicaSet, error) {
	return k.c.AppsV1().ReplicaSets(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (k clientset) GetDeployment(ctx context.Context, namespace, name string) (*appsv1.Deployment, error) {
	return k.c.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (k clientset) GetStatefulSet(ctx context.Context, namespace, name string) (*appsv1.StatefulSet, error) {
	return k.c.AppsV1().StatefulSets(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (k clientset) PatchDeployment(ctx context.Context, namespace, name string, pt types.PatchType, patch []byte) error {
	_, err := k.c.AppsV1().Deployments(namespace).Patch(ctx, name, pt, patch, metav1.PatchOptions{})
	return err
}
