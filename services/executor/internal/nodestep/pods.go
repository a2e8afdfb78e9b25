package nodestep

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// refuseUnmanaged is why a drain does not evict a running pod no
// controller owns: nothing would recreate it.
const refuseUnmanaged = "pods that declare no controller, which an eviction would delete for good"

// podsToMove lists the pods a drain must move off d.node, as `kubectl
// drain --ignore-daemonsets --delete-emptydir-data` chooses them (a test
// holds the two equal): DaemonSet and mirror pods stay, pods with emptyDir
// data go, and a running pod no controller owns (or of a DaemonSet that
// cannot be read) refuses the whole drain. kubectl's filters are not
// called: drain.Helper needs a whole kubernetes.Interface, and the steps
// see only the narrow Kube they can be tested against; the test runs
// kubectl's own selection beside this one on the same pods. Its eviction
// loop is not used either: it neither retries a 429 with our events nor
// keeps a timeout across restarts, nor sends a UID precondition.
func (d *drainer) podsToMove(ctx context.Context) ([]corev1.Pod, error) {
	pods, err := d.r.env.Kube.PodsOn(ctx, d.node)
	if err != nil {
		return nil, err
	}
	var out []corev1.Pod
	refusals := map[string][]string{} // why → pods
	for i := range pods {
		leave, why := d.mustLeave(ctx, &pods[i])
		if why != "" {
			refusals[why] = append(refusals[why], key(&pods[i]))
		}
		if leave {
			out = append(out, pods[i])
		}
	}
	if len(refusals) > 0 {
		var parts []string
		for _, why := range slices.Sorted(maps.Keys(refusals)) {
			parts = append(parts, fmt.Sprintf("%s: %s", why, strings.Join(refusals[why], ", ")))
		}
		return nil, failure(rebalancerv1.NodePhase_NODE_PHASE_DRAINING, "cannot drain %s: %s", d.node, strings.Join(parts, "; "))
	}
	return out, nil
}

// mustLeave says whether pod leaves the node, or why it keeps the node
// from being drained at all (kubectl's filters, in their order).
func (d *drainer) mustLeave(ctx context.Context, pod *corev1.Pod) (leave bool, refusal string) {
	owner := metav1.GetControllerOfNoCopy(pod)
	if isDaemonSet(owner) && !finished(pod) {
		// Its DaemonSet keeps it on the node (and tolerates the cordon); one
		// whose DaemonSet is gone or cannot be read is kubectl's refusal.
		return false, d.daemonSetRefusal(ctx, pod.Namespace, owner.Name)
	}
	if _, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]; mirror {
		return false, "" // the kubelet runs it from a file; the API cannot move it
	}
	if owner == nil && !finished(pod) {
		return false, refuseUnmanaged
	}
	return true, ""
}

// daemonSetRefusal is why a DaemonSet's pod keeps the node from being
// drained ("" when its DaemonSet exists), read once per drain.
func (d *drainer) daemonSetRefusal(ctx context.Context, namespace, name string) string {
	key := namespace + "/" + name
	if d.daemonSets[key] {
		return ""
	}
	if _, err := d.r.env.Kube.GetDaemonSet(ctx, namespace, name); err != nil {
		return err.Error()
	}
	d.daemonSets[key] = true
	return ""
}

// isDaemonSet reports an owner reference to an apps/v1 DaemonSet, as
// kubectl reads it.
func isDaemonSet(ref *metav1.OwnerReference) bool {
	return ref != nil && ref.Kind == "DaemonSet" && ref.APIVersion == "apps/v1"
}

// finished reports a pod that ran to its end: nothing on it to keep.
func finished(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
}
