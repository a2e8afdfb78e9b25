package accept

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// members are a group's nodes by name, listed at once: a plan names its
// group's nodes, and reading them one by one costs a request a node (100
// at 100 nodes) where one listing does.
type members map[string]*corev1.Node

func (c Checker) groupMembers(ctx context.Context, group string) (members, error) {
	list, err := c.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.NodeSelector(group)})
	if err != nil {
		return nil, fmt.Errorf("list nodes of group %s: %w", group, err)
	}
	m := make(members, len(list.Items))
	for i := range list.Items {
		m[list.Items[i].Name] = &list.Items[i]
	}
	return m, nil
}

// get is the node named name: from the listing, else read, so a node that
// left the group (or was deleted) is told apart as before.
func (m members) get(ctx context.Context, kube kubernetes.Interface, name string) (*corev1.Node, error) {
	if node, ok := m[name]; ok {
		return node, nil
	}
	return kube.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
}
