package kube

import corev1 "k8s.io/api/core/v1"

// NodeReady reports whether a node is Ready and no longer carries the taints
// the API server and node controller put on nodes not (yet) ready: a node
// that joined a moment ago reports Ready before those taints are lifted, and
// the scheduler still avoids it until they are.
func NodeReady(n *corev1.Node) bool {
	for _, taint := range n.Spec.Taints {
		if taint.Key == corev1.TaintNodeNotReady || taint.Key == corev1.TaintNodeUnreachable {
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

// NodeServing reports whether a node counts toward a group's capacity
// floor: Ready and not cordoned. A NoSchedule taint other than the
// not-ready ones does not take it out: it keeps new pods away, but the
// node still serves the ones it runs.
func NodeServing(n *corev1.Node) bool { return NodeReady(n) && !n.Spec.Unschedulable }
