package binpack

import (
	corev1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"
)

// Requests is what a pod asks the scheduler for: the larger of its
// containers' sum and its largest init container, sidecars and overhead
// included, as the scheduler computes it.
func Requests(pod *corev1.Pod) Resources {
	reqs := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	return Resources{
		MilliCPU:    reqs.Cpu().MilliValue(),
		MemoryBytes: reqs.Memory().Value(),
		Pods:        1,
	}
}

// Allocatable is what a node offers pods.
func Allocatable(node *corev1.Node) Resources {
	a := node.Status.Allocatable
	return Resources{MilliCPU: a.Cpu().MilliValue(), MemoryBytes: a.Memory().Value(), Pods: a.Pods().Value()}
}
