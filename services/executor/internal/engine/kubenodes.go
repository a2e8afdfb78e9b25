package engine

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// errWaitTimedOut is a wait outliving its deadline.
var errWaitTimedOut = errors.New("timed out")

// groupSelector selects a group's nodes.
func groupSelector(group string) string { return v1alpha1.LabelNodeGroup + "=" + group }

// nodeReady reports whether a node is Ready and free of the taints the
// control plane puts on nodes that are not (yet) ready.
func nodeReady(n *corev1.Node) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable {
			return false
		}
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// serving reports whether a node counts toward the capacity floor: Ready
// and not cordoned. The replacing taint does not take a node out of it: it
// keeps new pods away but the node still serves the ones it runs.
func serving(n *corev1.Node) bool { return nodeReady(n) && !n.Spec.Unschedulable }

// waitNode watches the group's nodes (list, then watch: an informer's
// view, no polling) until cond holds for one of them, or until deadline
// on the engine's clock.
func (x *execution) waitNode(ctx context.Context, group string, deadline time.Time, cond func(*corev1.Node) bool) (*corev1.Node, error) {
	remaining := deadline.Sub(x.now())
	if remaining <= 0 {
		return nil, errWaitTimedOut
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := x.deps.Clock.AfterFunc(remaining, func() { cancel(errWaitTimedOut) })
	defer timer.Stop()
	nodes := x.deps.Kube.CoreV1().Nodes()
	selector := groupSelector(group)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = selector
			return nodes.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = selector
			return nodes.Watch(ctx, o)
		},
	}
	var found *corev1.Node
	_, err := watchtools.UntilWithSync(ctx, lw, &corev1.Node{}, nil, func(e watch.Event) (bool, error) {
		if n, ok := e.Object.(*corev1.Node); ok && e.Type != watch.Deleted && cond(n) {
			found = n
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		if errors.Is(context.Cause(ctx), errWaitTimedOut) {
			return nil, errWaitTimedOut
		}
		return nil, err
	}
	return found, nil
}

// groupNodes lists the group's nodes as they are now.
func (x *execution) groupNodes(ctx context.Context) ([]corev1.Node, error) {
	list, err := x.deps.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: groupSelector(x.plan().GetNodeGroup())})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}
