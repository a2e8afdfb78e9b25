package nodestep

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// forceGracePeriod is the grace given to pods deleted past their budget:
// at least a second, so they still get SIGTERM (Karpenter does the same).
const forceGracePeriod = 1

// forcedGoneTimeout bounds the wait for force-deleted pods to disappear.
const forcedGoneTimeout = 30 * time.Second

// timedOut reports the pods and PDBs that outlived the drain timeout, then
// forces them out or fails the node, as the policy says.
func (d *drainer) timedOut(ctx context.Context, left []corev1.Pod) error {
	pods, pdbs, err := d.r.blockers(ctx, left)
	if err != nil {
		return err
	}
	force, why := d.r.mayForce(ctx)
	action := "the plan rolls back (" + why + ")"
	if force {
		action = "the remaining pods are deleted (" + why + ")"
	}
	if err := d.r.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT, d.reportedNode(), d.batch(),
		map[string]string{"pods": strings.Join(pods, ","), "pdbs": strings.Join(pdbs, ",")},
		"Drain of %s timed out with pods %s blocked by PDBs %s; %s", d.node, strings.Join(pods, ", "), strings.Join(pdbs, ", "), action); err != nil {
		return err
	}
	if !force {
		return &Failure{Phase: rebalancerv1.NodePhase_NODE_PHASE_DRAINING, Message: fmt.Sprintf("drain of %s timed out", d.node), Pods: pods, PDBs: pdbs}
	}
	return d.forceOut(ctx, left)
}

// mayForce reports whether a drain that timed out may delete the pods
// left past their budgets, and why: only when the plan's policy and the
// live group's both say FORCE and neither respects PodDisruptionBudgets
// (respect_pdbs: pods leave only through the Eviction API). A live policy
// that cannot be read forces nothing.
func (r *Runner) mayForce(ctx context.Context) (bool, string) {
	plan := r.x.Plan().GetPolicy()
	live, err := r.x.LivePolicy(ctx)
	if err != nil {
		return false, fmt.Sprintf("the group's policy could not be read: %v", err)
	}
	const force = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE
	switch {
	case plan.GetDrainTimeoutAction() != force || live.GetDrainTimeoutAction() != force:
		return false, "policy rollback"
	case plan.GetRespectPdbs() || live.GetRespectPdbs():
		return false, "policy force, but the group respects PodDisruptionBudgets"
	}
	return true, "policy force, PodDisruptionBudgets not respected"
}

// forceOut deletes the pods a drain could not evict in time (policy
// force), each recorded as an event naming the pod and its PDBs, then
// waits for them to be gone.
func (d *drainer) forceOut(ctx context.Context, left []corev1.Pod) error {
	for i := range left {
		if err := d.forceDelete(ctx, &left[i]); err != nil {
			return err
		}
	}
	left, err := d.evictUntil(ctx, d.r.now().Add(forcedGoneTimeout))
	if err != nil {
		return err
	}
	if len(left) > 0 {
		pods, pdbs, _ := d.r.blockers(ctx, left)
		return &Failure{Phase: rebalancerv1.NodePhase_NODE_PHASE_DRAINING, Message: "force-deleted pods did not go", Pods: pods, PDBs: pdbs}
	}
	return nil
}

// forceDelete deletes pod past its budget, if it is still the pod listed.
func (d *drainer) forceDelete(ctx context.Context, pod *corev1.Pod) error {
	err := d.r.env.Kube.DeletePod(ctx, pod.Namespace, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: ptr.To[int64](forceGracePeriod),
		Preconditions:      &metav1.Preconditions{UID: &pod.UID},
	})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil // gone, or replaced by a new pod of the same name
	}
	if err != nil {
		return err
	}
	if err := d.recordOwner(ctx, pod, true); err != nil {
		return err
	}
	pdbs, err := d.r.pdbNames(ctx, pod)
	if err != nil {
		return err
	}
	return d.r.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED, d.reportedNode(), d.batch(),
		map[string]string{"pod": key(pod), "pdb": strings.Join(pdbs, ","), "node": d.node},
		"Deleted %s past PDB %s after the drain timeout (policy force, PodDisruptionBudgets not respected)", key(pod), strings.Join(pdbs, ","))
}

// recordOwner remembers the controller of a pod that left, for the verify
// step, and a forced deletion for the result.
func (d *drainer) recordOwner(ctx context.Context, pod *corev1.Pod, forced bool) error {
	if d.run == nil {
		return nil
	}
	owner := kube.Controller(pod).String()
	return d.run.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		if owner != "" && !slices.Contains(nb.Owners, owner) {
			nb.Owners = append(nb.Owners, owner)
		}
		if forced {
			nb.ForceDeleted = append(nb.ForceDeleted, key(pod))
		}
	})
}

// blockers names the pods left and the PDBs covering them, sorted.
func (r *Runner) blockers(ctx context.Context, pods []corev1.Pod) (names, pdbs []string, err error) {
	for i := range pods {
		names = append(names, key(&pods[i]))
		covering, err := r.pdbNames(ctx, &pods[i])
		if err != nil {
			return nil, nil, err
		}
		for _, p := range covering {
			if !slices.Contains(pdbs, p) {
				pdbs = append(pdbs, p)
			}
		}
	}
	slices.Sort(names)
	slices.Sort(pdbs)
	return names, pdbs, nil
}

// pdbNames names the PodDisruptionBudgets covering pod, "namespace/name".
func (r *Runner) pdbNames(ctx context.Context, pod *corev1.Pod) ([]string, error) {
	pdbs, err := r.env.Kube.PDBs(ctx, pod.Namespace)
	if err != nil {
		return nil, err
	}
	return kube.PDBNames(kube.CoveringPDBs(pdbs, pod)), nil
}
