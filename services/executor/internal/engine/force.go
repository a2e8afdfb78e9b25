package engine

import (
	"context"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// forceOut deletes the pods a drain could not evict in time (policy
// force), each recorded as an event naming the pod and its PDBs, then
// waits for them to be gone.
func (d *drainer) forceOut(ctx context.Context, left []corev1.Pod) error {
	for i := range left {
		pod := &left[i]
		err := d.x.deps.Kube.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
			GracePeriodSeconds: ptr.To[int64](forceGracePeriod),
			Preconditions:      &metav1.Preconditions{UID: &pod.UID},
		})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			continue // gone, or replaced by a new pod of the same name
		}
		if err != nil {
			return err
		}
		if err := d.recordOwner(ctx, pod, true); err != nil {
			return err
		}
		pdbs, err := d.x.pdbsOf(ctx, pod)
		if err != nil {
			return err
		}
		if err := d.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED, d.reportedNode(), d.batch(),
			map[string]string{"pod": key(pod), "pdb": strings.Join(pdbs, ","), "node": d.node},
			"Deleted %s past PDB %s after the drain timeout (policy force)", key(pod), strings.Join(pdbs, ",")); err != nil {
			return err
		}
	}
	left, err := d.evictUntil(ctx, d.x.now().Add(forcedGoneTimeout))
	if err != nil {
		return err
	}
	if len(left) > 0 {
		pods, pdbs, _ := d.x.blockers(ctx, left)
		return &nodeError{phase: rebalancerv1.NodePhase_NODE_PHASE_DRAINING, message: "force-deleted pods did not go", pods: pods, pdbs: pdbs}
	}
	return nil
}

// recordOwner remembers the workload of a pod that left, for the
// verification step, and a forced deletion for the result.
func (d *drainer) recordOwner(ctx context.Context, pod *corev1.Pod, forced bool) error {
	if d.run == nil {
		return nil
	}
	owner := ownerOf(pod)
	return d.run.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		if owner != "" && !slices.Contains(nb.Owners, owner) {
			nb.Owners = append(nb.Owners, owner)
		}
		if forced {
			nb.ForceDeleted = append(nb.ForceDeleted, key(pod))
		}
	})
}

// ownerOf is "Kind/namespace/name" of the pod's controller, "" for none.
func ownerOf(pod *corev1.Pod) string {
	ref := metav1.GetControllerOf(pod)
	if ref == nil {
		return ""
	}
	return ref.Kind + "/" + pod.Namespace + "/" + ref.Name
}

// pdbsOf names the PDBs whose selector matches the pod, "namespace/name".
func (x *execution) pdbsOf(ctx context.Context, pod *corev1.Pod) ([]string, error) {
	list, err := x.deps.Kube.PolicyV1().PodDisruptionBudgets(pod.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, pdb := range list.Items {
		if pdb.Spec.Selector == nil {
			continue // a nil selector matches no pod; an empty one matches all (policy/v1)
		}
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil {
			continue
		}
		if sel.Matches(labels.Set(pod.Labels)) {
			names = append(names, pdb.Namespace+"/"+pdb.Name)
		}
	}
	return names, nil
}
