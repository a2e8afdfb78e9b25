package kube

import corev1 "k8s.io/api/core/v1"

// PodReady reports whether the pod's Ready condition is True: what the
// disruption controller counts as a healthy pod of a budget (a pod not
// Ready costs its budget nothing to evict) and what a Service routes to.
func PodReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
