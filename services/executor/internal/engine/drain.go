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
	d := &drainer{x: n.x, run: n, node: n.old, blocked: map[types.UID]bool{}}
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

// drainer evicts one node's pods. run is nil when the rollback drains a
// replacement: its evictions are reported on the old node it replaced.
type drainer struct {
	x       *execution
	run     *nodeRun
	node    string
	blocked map[types.UID]bool // pods whose refusal was already reported
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

// evictUntil evicts until the node is empty (nil) or the deadline passed
// (the pods left).
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
		progressed := false
		for i := range pods {
			if pods[i].DeletionTimestamp != nil {
				continue // leaving already
			}
			moved, err := d.evict(ctx, &pods[i])
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
		if err := d.x.sleep(ctx, min(wait, max(deadline.Sub(d.x.now()), time.Millisecond))); err != nil {
			return nil, err
		}
	}
}

// evict asks the Eviction API to evict pod, only if it is still the pod
// listed (UID precondition), and acts on the answer (see decideEviction).
func (d *drainer) evict(ctx context.Context, pod *corev1.Pod) (bool, error) {
	err := d.x.deps.Kube.PolicyV1().Evictions(pod.Namespace).Evict(ctx, &policyv1.Eviction{
		ObjectMeta:    metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace},
		DeleteOptions: &metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &pod.UID}},
	})
	switch decideEviction(err) {
	case evictAdmitted:
		return true, d.evicted(ctx, pod)
	case evictGone:
		return true, nil
	case evictBlocked:
		return false, d.refused(ctx, pod, err)
	default:
		d.x.deps.Logger.Info("eviction failed, retrying", "pod", key(pod), "error", err)
		return false, nil
	}
}

func (d *drainer) evicted(ctx context.Context, pod *corev1.Pod) error {
	if err := d.recordOwner(ctx, pod, false); err != nil {
		return err
	}
	return d.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED, d.reportedNode(), d.batch(),
		map[string]string{"pod": key(pod), "node": d.node}, "Evicted %s from %s", key(pod), d.node)
}

// refused reports the first refusal of each pod, naming its PDBs.
func (d *drainer) refused(ctx context.Context, pod *corev1.Pod, cause error) error {
	if d.blocked[pod.UID] {
		return nil
	}
	d.blocked[pod.UID] = true
	pdbs, err := d.x.pdbsOf(ctx, pod)
	if err != nil {
		return err
	}
	return d.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED, d.reportedNode(), d.batch(),
		map[string]string{"pod": key(pod), "pdb": strings.Join(pdbs, ","), "node": d.node},
		"Eviction of %s refused by PDB %s; retrying with backoff (%v)", key(pod), strings.Join(pdbs, ","), cause)
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
