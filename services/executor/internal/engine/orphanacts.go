package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// adoptOrphan keeps an orphan its group needs: its node is annotated as
// adopted (from its execution), so no later pass judges it again, and
// uncordoned, so it serves: only the Executor cordons a replacement (a
// rollback's drain of it, or an earlier pass that was going to delete it).
func (e *Executor) adoptOrphan(ctx context.Context, r replacement, group *v1alpha1.NodeGroup, why string, log *slog.Logger) error {
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}},"spec":{"unschedulable":false}}`,
		AnnotationAdopted, r.of.Execution+"/"+r.of.OldNode)
	if _, err := e.deps.Kube.CoreV1().Nodes().Patch(ctx, r.node.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("adopt node %s: %w", r.node.Name, err)
	}
	e.deps.Metrics.OrphansReclaimed.WithLabelValues("adopted", r.mode).Inc()
	e.tellOrphan(r, group, reasonOrphanAdopted, "AdoptOrphan", why)
	log.Warn("orphan replacement adopted: its group needs it", "node", r.node.Name)
	return nil
}

// deleteOrphan deletes an orphan's machine, then its Node; both deletes
// are idempotent, so a pass that stops half-way is finished by the next.
// A node with pods to move is drained first, over as many passes as its
// budgets take: nothing is deleted under a running pod.
func (e *Executor) deleteOrphan(ctx context.Context, r replacement, group *v1alpha1.NodeGroup, why string, log *slog.Logger) error {
	if r.node != nil {
		pods, err := e.podsToMove(ctx, r.node.Name)
		if err != nil {
			return err
		}
		if len(pods) > 0 {
			log.Warn("draining an orphan replacement before deleting it", "pods", len(pods))
			return e.drainOrphan(ctx, r.node.Name, pods)
		}
	}
	if err := e.deleteMachine(ctx, r, group); err != nil {
		return err
	}
	if r.node != nil {
		err := e.deps.Kube.CoreV1().Nodes().Delete(ctx, r.node.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete node %s of orphan %s: %w", r.node.Name, r.id, err)
		}
	}
	e.deps.Metrics.OrphansReclaimed.WithLabelValues("deleted", r.mode).Inc()
	e.tellOrphan(r, group, reasonOrphanDeleted, "DeleteOrphan", why)
	log.Warn("orphan replacement deleted")
	return nil
}

// deleteMachine deletes the VM (vm mode) or the VPSie cluster's node,
// which takes its VM along (managed mode, which needs the group's
// cluster).
func (e *Executor) deleteMachine(ctx context.Context, r replacement, group *v1alpha1.NodeGroup) error {
	if r.mode == modeVM {
		if err := e.deps.Cloud.DeleteVM(ctx, r.id); err != nil {
			return fmt.Errorf("delete orphan VM %s: %w", r.id, err)
		}
		return nil
	}
	if group == nil || group.Spec.Provisioning.ClusterID == "" {
		return fmt.Errorf("orphan node %s: its NodeGroup, which names the VPSie cluster, is unknown", r.hostname)
	}
	if err := e.deps.Cloud.DeleteKubeNode(ctx, group.Spec.Provisioning.ClusterID, r.id); err != nil {
		return fmt.Errorf("delete orphan node %s from cluster %s: %w", r.id, group.Spec.Provisioning.ClusterID, err)
	}
	return nil
}

// podsToMove are the pods a drain of node must move: not DaemonSet pods,
// not mirror pods, not finished ones (kubectl drain's choice).
func (e *Executor) podsToMove(ctx context.Context, node string) ([]corev1.Pod, error) {
	list, err := e.deps.Kube.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("spec.nodeName", node).String()})
	if err != nil {
		return nil, fmt.Errorf("list pods of %s: %w", node, err)
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		owner := metav1.GetControllerOfNoCopy(&p)
		daemon := owner != nil && owner.Kind == "DaemonSet"
		_, mirror := p.Annotations[corev1.MirrorPodAnnotationKey]
		done := p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
		if !daemon && !mirror && !done {
			out = append(out, p)
		}
	}
	return out, nil
}

// drainOrphan cordons an orphan's node and asks the Eviction API to move
// each of its pods once; a budget's refusal (429) is asked again at the
// next pass. The node is deleted by the pass that finds it empty. A pod no
// controller owns is not evicted (nothing would bring it back, as kubectl
// drain refuses): the node stays, reported, for an operator.
func (e *Executor) drainOrphan(ctx context.Context, node string, pods []corev1.Pod) error {
	for _, p := range pods {
		if metav1.GetControllerOfNoCopy(&p) == nil {
			return fmt.Errorf("orphan node %s runs pod %s/%s, which no controller owns: left for an operator", node, p.Namespace, p.Name)
		}
	}
	cordon := []byte(`{"spec":{"unschedulable":true}}`)
	if _, err := e.deps.Kube.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, cordon, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("cordon orphan node %s: %w", node, err)
	}
	var errs []error
	for _, p := range pods {
		ev := &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace},
			DeleteOptions: &metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &p.UID}}}
		err := e.deps.Kube.PolicyV1().Evictions(p.Namespace).Evict(ctx, ev)
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsTooManyRequests(err) && !apierrors.IsConflict(err) {
			errs = append(errs, fmt.Errorf("evict %s/%s from orphan node %s: %w", p.Namespace, p.Name, node, err))
		}
	}
	return errors.Join(errs...)
}
