package engine

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	kubedrain "k8s.io/kubectl/pkg/drain"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// forceGracePeriod is the grace given to pods deleted past their budget:
// at least a second, so they still get SIGTERM (Karpenter does the same).
const forceGracePeriod = 1

// forcedGoneTimeout bounds the wait for force-deleted pods to disappear.
const forcedGoneTimeout = 30 * time.Second

// drain evicts the old node's pods through the Eviction API until it is
// empty (DaemonSet and mirror pods aside), within the drain timeout counted
// from the drain's first start (persisted, so a resume keeps the clock).
// At the timeout the plan's policy decides: FORCE deletes what is left,
// anything else fails the node and so rolls the plan back.
func drain(ctx context.Context, n *nodeRun) error {
	if n.phase() < rebalancerv1.NodePhase_NODE_PHASE_DRAINING {
		now := n.x.now()
		err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_DRAINING, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
			if nb.DrainStartedAt.IsZero() {
				nb.DrainStartedAt = now
			}
		})
		if err != nil {
			return err
		}
		if err := n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED, n.old, n.batch, nil, "Draining %s", n.old); err != nil {
			return err
		}
	}
	_, nb := n.state()
	p := n.x.plan()
	deadline := nb.DrainStartedAt.Add(p.GetPolicy().GetDrainTimeout().AsDuration())
	d := newDrainer(n.x, n, n.old)
	left, err := d.evictUntil(ctx, deadline)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		if err := d.timedOut(ctx, left); err != nil {
			return err
		}
	}
	if err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_DRAINED, nil); err != nil {
		return err
	}
	n.x.deps.Metrics.NodesDrained.WithLabelValues(p.GetNamespace(), p.GetNodeGroup()).Inc()
	return n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED, n.old, n.batch, nil, "%s is drained", n.old)
}

// drainer moves one node's pods off it: by evictions, and single-replica
// Deployments by a rollout when the policy says so (rollout.go). When the
// rollback drains a replacement, run is the old node it replaced, on which
// its evictions are reported; run is nil only for a node of no run.
type drainer struct {
	x       *execution
	run     *nodeRun
	node    string
	blocked map[types.UID]bool // pods whose refusal was already reported
	// patched holds the Deployments ("namespace/name") this drainer
	// restarted (or found restarted and patched again, a no-op);
	// unrolled those that could not be, with why, evicted instead.
	patched  map[string]bool
	unrolled map[string]string
	// moves caches how the pods of each ReplicaSet ("namespace/name")
	// leave, decided at the drain's first look (see howToMove).
	moves map[string]move
}

func newDrainer(x *execution, run *nodeRun, node string) *drainer {
	return &drainer{x: x, run: run, node: node, blocked: map[types.UID]bool{},
		patched: map[string]bool{}, unrolled: map[string]string{}, moves: map[string]move{}}
}

// evictable lists the pods a drain must move. kubectl's drain filters are
// used as they are (DaemonSet and mirror pods skipped, emptyDir data
// allowed, unmanaged pods refused); its eviction loop is not, because it
// neither retries a 429 with our events nor keeps a timeout across
// restarts, nor sends a UID precondition.
func (d *drainer) evictable(ctx context.Context) ([]corev1.Pod, error) {
	h := &kubedrain.Helper{Ctx: ctx, Client: d.x.deps.Kube, IgnoreAllDaemonSets: true, DeleteEmptyDirData: true,
		GracePeriodSeconds: -1, Out: io.Discard, ErrOut: io.Discard}
	list, errs := h.GetPodsForDeletion(d.node)
	if len(errs) > 0 {
		return nil, failure(rebalancerv1.NodePhase_NODE_PHASE_DRAINING, "cannot drain %s: %v", d.node, errs)
	}
	return list.Pods(), nil
}

// evictUntil moves pods off until the node is empty (nil) or the deadline
// passed (the pods left). A pod moved by a rollout leaves when its
// Deployment has a new pod available; until then the loop looks again
// every Poll.
func (d *drainer) evictUntil(ctx context.Context, deadline time.Time) ([]corev1.Pod, error) {
	pace := d.x.deps.Pace
	wait := pace.EvictionRetry
	for {
		pods, err := d.evictable(ctx)
		if err != nil || len(pods) == 0 {
			return nil, err
		}
		if !d.x.now().Before(deadline) {
			return pods, nil
		}
		progressed, rolling := false, false
		for i := range pods {
			if pods[i].DeletionTimestamp != nil {
				continue // leaving already
			}
			m, err := d.howToMove(ctx, &pods[i])
			if err != nil {
				d.x.deps.Logger.Info("cannot tell how to move a pod, retrying", "pod", key(&pods[i]), "error", err)
				continue
			}
			var moved bool
			if m.deployment != "" {
				rolling = true
				moved, err = d.rollOut(ctx, &pods[i], m.deployment)
			} else {
				moved, err = d.evict(ctx, &pods[i], m.note)
			}
			if err != nil {
				return nil, err
			}
			progressed = progressed || moved
		}
		if progressed {
			wait = pace.EvictionRetry
		} else {
			wait = min(2*wait, pace.EvictionRetryCap)
		}
		next := wait
		if rolling {
			next = min(next, pace.Poll) // the Deployment controller moves the pod, not a retry of ours
		}
		if err := d.x.sleep(ctx, min(next, max(deadline.Sub(d.x.now()), time.Millisecond))); err != nil {
			return nil, err
		}
	}
}

// evict asks the Eviction API to evict pod, only if it is still the pod
// listed (UID precondition), and acts on the answer (see decideEviction).
// note, when set, says why a single-replica Deployment's pod is evicted
// rather than rolled out; its events carry it.
func (d *drainer) evict(ctx context.Context, pod *corev1.Pod, note string) (bool, error) {
	err := d.x.deps.Kube.PolicyV1().Evictions(pod.Namespace).Evict(ctx, &policyv1.Eviction{
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
		d.x.deps.Logger.Info("eviction failed, retrying", "pod", key(pod), "error", err)
		return false, nil
	}
}

func (d *drainer) evicted(ctx context.Context, pod *corev1.Pod, note string) error {
	if err := d.recordOwner(ctx, pod, false); err != nil {
		return err
	}
	details := map[string]string{"pod": key(pod), "node": d.node}
	return d.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED, d.reportedNode(), d.batch(),
		withNote(details, note), "Evicted %s from %s%s", key(pod), d.node, notRolledOut(note))
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

// refused reports the first refusal of each pod, naming its PDBs.
func (d *drainer) refused(ctx context.Context, pod *corev1.Pod, cause error, note string) error {
	if d.blocked[pod.UID] {
		return nil
	}
	d.blocked[pod.UID] = true
	pdbs, err := d.x.pdbsOf(ctx, pod)
	if err != nil {
		return err
	}
	return d.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED, d.reportedNode(), d.batch(),
		withNote(map[string]string{"pod": key(pod), "pdb": strings.Join(pdbs, ","), "node": d.node}, note),
		"Eviction of %s refused by PDB %s; retrying with backoff (%v)%s", key(pod), strings.Join(pdbs, ","), cause, notRolledOut(note))
}

// timedOut reports the pods and PDBs that outlived the drain timeout, then
// forces them out or fails the node, as the policy says.
func (d *drainer) timedOut(ctx context.Context, left []corev1.Pod) error {
	pods, pdbs, err := d.x.blockers(ctx, left)
	if err != nil {
		return err
	}
	force := d.x.plan().GetPolicy().GetDrainTimeoutAction() == rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE
	action := "the plan rolls back"
	if force {
		action = "the remaining pods are deleted (policy force)"
	}
	if err := d.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT, d.reportedNode(), d.batch(),
		map[string]string{"pods": strings.Join(pods, ","), "pdbs": strings.Join(pdbs, ",")},
		"Drain of %s timed out with pods %s blocked by PDBs %s; %s", d.node, strings.Join(pods, ", "), strings.Join(pdbs, ", "), action); err != nil {
		return err
	}
	if !force {
		return &nodeError{phase: rebalancerv1.NodePhase_NODE_PHASE_DRAINING, message: fmt.Sprintf("drain of %s timed out", d.node), pods: pods, pdbs: pdbs}
	}
	return d.forceOut(ctx, left)
}

func (d *drainer) reportedNode() string {
	if d.run != nil {
		return d.run.old
	}
	return d.node
}

func (d *drainer) batch() int32 {
	if d.run != nil {
		return d.run.batch
	}
	return 0
}

func key(pod *corev1.Pod) string { return pod.Namespace + "/" + pod.Name }

// blockers names the pods left and the PDBs covering them, sorted.
func (x *execution) blockers(ctx context.Context, pods []corev1.Pod) (names, pdbs []string, err error) {
	for i := range pods {
		names = append(names, key(&pods[i]))
		covering, err := x.pdbsOf(ctx, &pods[i])
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
