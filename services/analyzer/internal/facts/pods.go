package facts

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/kube"
)

// podKind is what a drain does with a pod.
type podKind int

const (
	movable     podKind = iota // evicted, recreated elsewhere by its owner (if any)
	nodeBound                  // DaemonSet or mirror pod: stays with the node
	finished                   // Succeeded or Failed: nothing left to move
	terminating                // already being deleted: leaving anyway
)

// classify decides once per pod, on the pod as a whole. The original
// implementation looped over owner references and hit `continue` in that
// inner loop for a DaemonSet owner, so DaemonSet pods were never skipped
// and every node looked as if it held local storage.
func classify(p *corev1.Pod) podKind {
	switch {
	case p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed:
		return finished
	case isMirror(p) || isDaemonSetPod(p):
		return nodeBound
	case p.DeletionTimestamp != nil:
		return terminating
	default:
		return movable
	}
}

func isMirror(p *corev1.Pod) bool {
	_, ok := p.Annotations[corev1.MirrorPodAnnotationKey]
	return ok
}

func isDaemonSetPod(p *corev1.Pod) bool { return kube.Controller(p).Kind == "DaemonSet" }

// podOptOuts are the pod annotations that forbid evicting the pod, with
// the value that means it.
var podOptOuts = []struct{ key, value string }{
	{v1alpha1.AnnotationDoNotDisrupt, "true"},                   // ours
	{"karpenter.sh/do-not-disrupt", "true"},                     // Karpenter's
	{"cluster-autoscaler.kubernetes.io/safe-to-evict", "false"}, // Cluster Autoscaler's
}

// podOptOut returns the annotation that opts the pod out, if any.
func podOptOut(p *corev1.Pod) (string, bool) {
	for _, o := range podOptOuts {
		if p.Annotations[o.key] == o.value {
			return o.key + "=" + o.value, true
		}
	}
	return "", false
}

// deletionCost reads the pod-deletion-cost annotation; a value the
// ReplicaSet controller would refuse counts as unset.
func deletionCost(p *corev1.Pod) int32 {
	v, err := strconv.ParseInt(p.Annotations[corev1.PodDeletionCost], 10, 32)
	if err != nil {
		return 0
	}
	return int32(v)
}

func priority(p *corev1.Pod) int32 {
	if p.Spec.Priority == nil {
		return 0
	}
	return *p.Spec.Priority
}
