package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/rollout"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// AnnotationRestartedAt is the pod template annotation `kubectl rollout
// restart` sets: a new value is a new template, so the Deployment rolls out.
const AnnotationRestartedAt = "kubectl.kubernetes.io/restartedAt"

// move is how the drain moves one pod: by a rollout of deployment when it
// is set, else by an eviction; note says, for a single-replica Deployment
// evicted, why it was not rolled out.
type move struct {
	deployment string // "namespace/name"
	note       string
}

// howToMove decides how pod leaves, once per ReplicaSet and drain (the
// drain's first look decides, so a loop round costs no more reads than
// before). A restart already recorded for this node and Deployment is
// followed, not decided again. An error means the answer is unknown this
// round (the API did not say): the pod is left for the next round rather
// than evicted, which might take it down.
func (d *drainer) howToMove(ctx context.Context, pod *corev1.Pod) (move, error) {
	if d.run == nil || !rollout.Enabled(d.x.plan().GetPolicy()) {
		return move{}, nil
	}
	ref := metav1.GetControllerOf(pod)
	if ref == nil || ref.Kind != "ReplicaSet" {
		return move{}, nil
	}
	rs := pod.Namespace + "/" + ref.Name
	m, ok := d.moves[rs]
	if !ok {
		var err error
		if m, err = d.decide(ctx, pod.Namespace, ref.Name); err != nil {
			return move{}, err
		}
		d.moves[rs] = m
	}
	if why, ok := d.unrolled[m.deployment]; ok && m.deployment != "" {
		return move{note: why}, nil
	}
	return m, nil
}

// decide looks up the Deployment of ReplicaSet ns/name and whether a
// rollout of it moves its pod without downtime.
func (d *drainer) decide(ctx context.Context, ns, name string) (move, error) {
	apps := d.x.deps.Kube.AppsV1()
	rs, err := apps.ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return move{}, nil
	}
	if err != nil {
		return move{}, err
	}
	owner := metav1.GetControllerOf(rs)
	if owner == nil || owner.Kind != "Deployment" {
		return move{}, nil
	}
	dep := ns + "/" + owner.Name
	if _, nb := d.run.state(); nb.Rollout(d.node, dep) != nil {
		return move{deployment: dep}, nil
	}
	deployment, err := apps.Deployments(ns).Get(ctx, owner.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return move{}, nil
	}
	if err != nil {
		return move{}, err
	}
	if ok, why := rollout.SurgesOneReplica(deployment); !ok {
		return move{note: why}, nil
	}
	return move{deployment: dep}, nil
}

// rollOut moves pod by restarting its Deployment, once per execution,
// drained node and Deployment: the restart's value is recorded first, then
// patched, then announced (POD_ROLLED_OUT, once, marked in the same write).
// A resumed drain finds the record: announced, it only waits; not, it
// patches the same value unless the Deployment has it already. It reports
// progress when the restart is announced; the old pod goes once the new
// one is available, which the drain's listing sees. A Deployment that can
// no longer be restarted without downtime (paused meanwhile, gone, the
// patch refused) has its pod evicted instead, with the reason in the
// eviction's event.
func (d *drainer) rollOut(ctx context.Context, pod *corev1.Pod, dep string) (bool, error) {
	_, nb := d.run.state()
	r := nb.Rollout(d.node, dep)
	if r == nil {
		r = &store.Rollout{Node: d.node, Deployment: dep, RestartedAt: d.x.now().UTC().Format(time.RFC3339Nano)}
		owner := "Deployment/" + dep
		if err := d.run.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
			nb.Rollouts = append(nb.Rollouts, *r)
			if !slices.Contains(nb.Owners, owner) {
				nb.Owners = append(nb.Owners, owner) // verified available before termination
			}
		}); err != nil {
			return false, err
		}
	}
	if r.Announced {
		return false, nil
	}
	if !d.patched[dep] {
		why, err := d.restart(ctx, r)
		if err != nil {
			d.x.deps.Logger.Info("restart of a Deployment failed, retrying", "deployment", dep, "error", err)
			return false, nil
		}
		if why != "" {
			d.unrolled[dep] = why
			return d.evict(ctx, pod, why)
		}
		d.patched[dep] = true
	}
	return true, d.x.emitMarked(ctx, event{kind: rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT, node: d.reportedNode(), batch: d.batch(),
		details: map[string]string{"pod": key(pod), "deployment": dep, "node": d.node, "restarted_at": r.RestartedAt},
		message: fmt.Sprintf("Restarted Deployment %s to move %s off %s by a surging rollout instead of an eviction; the old pod goes once the new one is available",
			dep, key(pod), d.node)},
		func(rec *store.Record) {
			if r := rec.Book.NodeBook(d.run.old).Rollout(d.node, dep); r != nil {
				r.Announced = true
			}
		})
}

// restart sets the Deployment's pod template annotation restartedAt to
// the recorded value, as `kubectl rollout restart` does, if it does not
// have it yet. The Deployment is read first and checked again (not
// paused, still one replica, still surging), and the patch carries the
// resourceVersion read, so it applies only to what was checked (a
// conflict is retried next round). why, when set, is the reason it will
// not be restarted: its pod is evicted instead.
func (d *drainer) restart(ctx context.Context, r *store.Rollout) (why string, err error) {
	ns, name, _ := strings.Cut(r.Deployment, "/")
	deployments := d.x.deps.Kube.AppsV1().Deployments(ns)
	dep, err := deployments.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "its Deployment is gone", nil
	}
	if err != nil {
		return "", err
	}
	if dep.Spec.Template.Annotations[AnnotationRestartedAt] == r.RestartedAt {
		return "", nil // patched before a restart of the executor: no second rollout
	}
	if ok, why := rollout.SurgesOneReplica(dep); !ok {
		return why, nil
	}
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": dep.ResourceVersion},
		"spec": map[string]any{"template": map[string]any{
			"metadata": map[string]any{"annotations": map[string]string{AnnotationRestartedAt: r.RestartedAt}}}},
	})
	if err != nil {
		return "", err
	}
	_, err = deployments.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsForbidden(err) || apierrors.IsInvalid(err) {
		return fmt.Sprintf("its Deployment could not be restarted: %v", err), nil
	}
	return "", err
}
