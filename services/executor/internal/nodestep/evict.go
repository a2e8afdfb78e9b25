package nodestep

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// evict asks the Eviction API to evict pod, only if it is still the pod
// listed (UID precondition), and acts on the answer (see decideEviction);
// moved says the pod is on its way out or gone. note, when set, says why a
// single-replica Deployment's pod is evicted rather than rolled out; its
// events carry it.
func (d *drainer) evict(ctx context.Context, pod *corev1.Pod, note string) (moved bool, err error) {
	err = d.r.env.Kube.Evict(ctx, &policyv1.Eviction{
		ObjectMeta:    metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace},
		DeleteOptions: &metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &pod.UID}},
	})
	switch decideEviction(err) {
	case evictAdmitted:
		return true, d.evicted(ctx, pod, note)
	case evictGone:
		return true, nil
	case evictBlocked:
		return false, d.refused(ctx, pod, err, note)
	default:
		d.r.env.Logger.Info("eviction failed, retrying", "pod", key(pod), "error", err)
		return false, nil
	}
}

// evicted records the pod's owner for the verify step and says so.
func (d *drainer) evicted(ctx context.Context, pod *corev1.Pod, note string) error {
	if err := d.recordOwner(ctx, pod, false); err != nil {
		return err
	}
	details := map[string]string{"pod": key(pod), "node": d.node}
	return d.r.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED, d.reportedNode(), d.batch(),
		withNote(details, note), "Evicted %s from %s%s", key(pod), d.node, notRolledOut(note))
}

// refused reports the first refusal of each pod, naming its PDBs.
func (d *drainer) refused(ctx context.Context, pod *corev1.Pod, cause error, note string) error {
	if d.blocked[pod.UID] {
		return nil
	}
	d.blocked[pod.UID] = true
	pdbs, err := d.r.pdbNames(ctx, pod)
	if err != nil {
		return err
	}
	return d.r.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED, d.reportedNode(), d.batch(),
		withNote(map[string]string{"pod": key(pod), "pdb": strings.Join(pdbs, ","), "node": d.node}, note),
		"Eviction of %s refused by PDB %s; retrying with backoff (%v)%s", key(pod), strings.Join(pdbs, ","), cause, notRolledOut(note))
}

// withNote adds, for a single-replica Deployment's pod that was not rolled
// out, why not.
func withNote(details map[string]string, note string) map[string]string {
	if note != "" {
		details["not_rolled_out"] = note
	}
	return details
}

func notRolledOut(note string) string {
	if note == "" {
		return ""
	}
	return " (not moved by a rollout: " + note + ")"
}
