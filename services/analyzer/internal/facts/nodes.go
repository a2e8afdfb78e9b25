package facts

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/kube"
)

// Labels that mark control-plane nodes; kubeadm sets the first, older
// clusters the second.
var controlPlaneLabels = []string{"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"}

// nodeOptOuts are the node annotations that keep a node from being
// replaced, with the value that means "leave me alone".
var nodeOptOuts = []struct{ key, value string }{
	{v1alpha1.AnnotationDoNotDisrupt, "true"},                        // ours
	{"karpenter.sh/do-not-disrupt", "true"},                          // what operators coming from Karpenter already set
	{"cluster-autoscaler.kubernetes.io/scale-down-disabled", "true"}, // the same, from Cluster Autoscaler
}

// drainTaints are put on nodes by the peers while they empty them; a
// cordoned node carrying one is being drained, not just cordoned.
var drainTaints = []string{
	"ToBeDeletedByClusterAutoscaler", // Cluster Autoscaler scale-down
	"karpenter.sh/disrupted",         // Karpenter disruption
	"karpenter.sh/disruption",        // Karpenter before v1
}

func controlPlane(n *corev1.Node) bool {
	for _, l := range controlPlaneLabels {
		if _, ok := n.Labels[l]; ok {
			return true
		}
	}
	return false
}

// nodeOptOut returns the annotation that opts the node out, if any.
func nodeOptOut(n *corev1.Node) (string, bool) {
	for _, o := range nodeOptOuts {
		if n.Annotations[o.key] == o.value {
			return o.key + "=" + o.value, true
		}
	}
	return "", false
}

// draining reports whether someone is emptying the cordoned node: it
// carries a drain taint, or pods a drain would move are terminating on it.
func draining(n *corev1.Node, pods []*corev1.Pod) (string, bool) {
	if !n.Spec.Unschedulable {
		return "", false
	}
	for _, t := range n.Spec.Taints {
		for _, key := range drainTaints {
			if t.Key == key {
				return "taint " + key, true
			}
		}
	}
	for _, p := range pods {
		if p.DeletionTimestamp != nil && classify(p) == terminating {
			return fmt.Sprintf("pod %s/%s terminating", p.Namespace, p.Name), true
		}
	}
	return "", false
}

// exclusion says why a node is not a candidate for the offering, or "".
// offering "" accepts any offering (a safety check of named nodes).
func exclusion(n *corev1.Node, pods []*corev1.Pod, offering string) string {
	if n.DeletionTimestamp != nil {
		return "being deleted"
	}
	if controlPlane(n) {
		return "control-plane node"
	}
	if annotation, ok := nodeOptOut(n); ok {
		return "opted out by annotation " + annotation
	}
	if how, ok := draining(n, pods); ok {
		return "already draining (" + how + ")"
	}
	if n.Spec.Unschedulable {
		return "cordoned"
	}
	if !kube.NodeReady(n) {
		return "not Ready"
	}
	if _, ok := v1alpha1.VMIdentifier(n.Spec.ProviderID); !ok {
		return fmt.Sprintf("no VPSie VM in spec.providerID %q", n.Spec.ProviderID)
	}
	if got := n.Labels[v1alpha1.LabelInstanceType]; offering != "" && got != offering {
		return fmt.Sprintf("runs offering %q, not %q", got, offering)
	}
	return ""
}
