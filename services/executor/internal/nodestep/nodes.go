package nodestep

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// errWaitTimedOut is a wait outliving its deadline.
var errWaitTimedOut = errors.New("timed out")

// GroupNodes lists the plan's group's nodes as they are now.
func (r *Runner) GroupNodes(ctx context.Context) ([]corev1.Node, error) {
	list, err := r.env.Kube.ListNodes(ctx, metav1.ListOptions{LabelSelector: v1alpha1.NodeSelector(r.x.Plan().GetNodeGroup())})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// ofGroup matches the nodes of group (a wait's change).
func ofGroup(group string) func(any) bool {
	return func(obj any) bool {
		n, ok := obj.(*corev1.Node)
		return ok && n.Labels[v1alpha1.LabelNodeGroup] == group
	}
}

// waitNode watches the group's nodes (list, then watch: an informer's
// view, no polling) until cond holds for one of them, or until deadline
// on the clock.
func (r *Runner) waitNode(ctx context.Context, deadline time.Time, cond func(*corev1.Node) bool) (*corev1.Node, error) {
	remaining := deadline.Sub(r.now())
	if remaining <= 0 {
		return nil, errWaitTimedOut
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := r.env.Clock.AfterFunc(remaining, func() { cancel(errWaitTimedOut) })
	defer timer.Stop()
	if c, ok := r.env.Kube.(*KubeCache); ok {
		return r.waitCachedNode(ctx, c, cond)
	}
	nodes := r.env.Kube
	selector := v1alpha1.NodeSelector(r.x.Plan().GetNodeGroup())
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = selector
			return nodes.ListNodes(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = selector
			return nodes.WatchNodes(ctx, o)
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

// waitCachedNode is waitNode over the caches: the node informer already
// lists and watches, so the wait looks at its nodes whenever one of the
// group changes, instead of a list and a watch of its own; ctx ends it at
// the deadline.
func (r *Runner) waitCachedNode(ctx context.Context, c *KubeCache, cond func(*corev1.Node) bool) (*corev1.Node, error) {
	group := r.x.Plan().GetNodeGroup()
	selector, err := labels.Parse(v1alpha1.NodeSelector(group))
	if err != nil {
		return nil, err
	}
	w := r.env.listen(change{nodeKind, ofGroup(group)})
	defer w.stop()
	for {
		nodes, err := c.CachedGroupNodes(selector)
		if err != nil {
			return nil, err
		}
		for i := range nodes {
			if cond(&nodes[i]) {
				return &nodes[i], nil
			}
		}
		if err := w.wait(ctx, w.poll()); err != nil {
			if errors.Is(context.Cause(ctx), errWaitTimedOut) {
				return nil, errWaitTimedOut
			}
			return nil, err
		}
	}
}
