package nodestep

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
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
	if d.run == nil || !rollout.Enabled(d.r.x.Plan().GetPolicy()) {
		return move{}, nil
	}
	rs := kube.Controller(pod)
	if rs.Kind != "ReplicaSet" {
		return move{}, nil
	}
	m, ok := d.moves[rs.String()]
	if !ok {
		var err error
		if m, err = d.decide(ctx, pod); err != nil {
			return move{}, err
		}
		d.moves[rs.String()] = m
	}
	if why, ok := d.unrolled[m.deployment]; ok && m.deployment != "" {
		return move{note: why}, nil
	}
	return m, nil
}

// decide finds the Deployment owning pod (through its ReplicaSet) and
// whether a rollout of it moves its pod without downtime.
func (d *drainer) decide(ctx context.Context, pod *corev1.Pod) (move, error) {
	k := d.r.env.Kube
	var lookupErr error
	w := kube.OwningWorkload(pod, func(ns, name string) (*appsv1.ReplicaSet, bool) {
		rs, err := k.GetReplicaSet(ctx, ns, name)
		if err != nil && !apierrors.IsNotFound(err) {
			lookupErr = err // not "no Deployment": unknown this round
		}
		return rs, err == nil
	})
	if lookupErr != nil {
		return move{}, lookupErr
	}
	if w.Kind != "Deployment" {
		return move{}, nil
	}
	dep := w.Namespace + "/" + w.Name
	if _, nb := d.run.state(); nb.Rollout(d.node, dep) != nil {
		return move{deployment: dep}, nil
	}
	deployment, err := k.GetDeployment(ctx, w.Namespace, w.Name)
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
// patched, then announced (POD_ROLLED_OUT, once, with Announced set in the
// same write). A resumed drain finds the record: announced, it only waits;
// not, it patches the same value unless the Deployment has it already. It
// reports progress when the restart is announced; the old pod goes once
// the new one is available, which the drain's listing sees. A Deployment
// that can no longer be restarted without downtime (paused meanwhile,
// gone, the patch refused) has its pod evicted instead, with the reason in
// the eviction's event.
func (d *drainer) rollOut(ctx context.Context, pod *corev1.Pod, dep string) (bool, error) {
	r, err := d.recordRollout(ctx, dep)
	if err != nil || r.Announced {
		return false, err
	}
	if !d.patched[dep] {
		why, err := d.restart(ctx, r)
		if err != nil {
			d.r.env.Logger.Info("restart of a Deployment failed, retrying", "deployment", dep, "error", err)
			return false, nil
		}
		if why != "" {
			d.unrolled[dep] = why
			return d.evict(ctx, pod, why)
		}
		d.patched[dep] = true
	}
	e := Event{Kind: rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT, Node: d.reportedNode(), Batch: d.batch(),
		Details: map[string]string{"pod": key(pod), "deployment": dep, "node": d.node, "restarted_at": r.RestartedAt},
		Message: fmt.Sprintf("Restarted Deployment %s to move %s off %s by a surging rollout instead of an eviction; the old pod goes once the new one is available",
			dep, key(pod), d.node)}
	return true, d.r.x.EmitOnce(ctx, e, d.run.Old, func(nb *store.NodeBook) {
		if r := nb.Rollout(d.node, dep); r != nil {
			r.Announced = true
		}
	})
}

// recordRollout returns the restart of dep recorded for this node,
// recording a new one (its value the clock now) when there is none; the
// Deployment becomes an owner the verify step waits for.
func (d *drainer) recordRollout(ctx context.Context, dep string) (*store.Rollout, error) {
	_, nb := d.run.state()
	if r := nb.Rollout(d.node, dep); r != nil {
		return r, nil
	}
	r := &store.Rollout{Node: d.node, Deployment: dep, RestartedAt: d.r.now().UTC().Format(time.RFC3339Nano)}
	owner := "Deployment/" + dep
	return r, d.run.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		nb.Rollouts = append(nb.Rollouts, *r)
		if !slices.Contains(nb.Owners, owner) {
			nb.Owners = append(nb.Owners, owner)
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
	k := d.r.env.Kube
	dep, err := k.GetDeployment(ctx, ns, name)
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
	err = k.PatchDeployment(ctx, ns, name, types.MergePatchType, patch)
	if apierrors.IsForbidden(err) || apierrors.IsInvalid(err) {
		return fmt.Sprintf("its Deployment could not be restarted: %v", err), nil
	}
	return "", err
}
