package nodestep

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// drain moves the old node's pods off it until it is empty (DaemonSet and
// mirror pods aside, see podsToMove), within the drain timeout counted
// from the drain's first start (persisted, so a resume keeps the clock).
// Pods leave through the Eviction API (evict.go), a single-replica
// Deployment's pod by a rollout (rollout.go). At the timeout the plan's
// policy decides (force.go): FORCE deletes what is left, anything else
// fails the node and so rolls the plan back.
func drain(ctx context.Context, n *Node) error {
	if n.Phase() < rebalancerv1.NodePhase_NODE_PHASE_DRAINING {
		now := n.r.now()
		err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_DRAINING, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
			if nb.DrainStartedAt.IsZero() {
				nb.DrainStartedAt = now
			}
		})
		if err != nil {
			return err
		}
		if err := n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED, nil, "Draining %s", n.Old); err != nil {
			return err
		}
	}
	_, nb := n.state()
	deadline := nb.DrainStartedAt.Add(n.r.x.Plan().GetPolicy().GetDrainTimeout().AsDuration())
	d := newDrainer(n.r, n, n.Old)
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
	return n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED, nil, "%s is drained", n.Old)
}

// drainer moves one node's pods off it. When the rollback drains a
// replacement, run is the old node it replaced, on which its events are
// reported; run is nil only for a node of no run.
type drainer struct {
	r       *Runner
	run     *Node
	node    string
	blocked map[types.UID]bool // pods whose refusal was already reported
	// patched holds the Deployments ("namespace/name") this drainer
	// restarted (or found restarted and patched again, a no-op);
	// unrolled those that could not be, with why, evicted instead.
	patched  map[string]bool
	unrolled map[string]string
	// moves caches how the pods of each ReplicaSet ("Kind/namespace/name")
	// leave, decided at the drain's first look (see howToMove).
	moves map[string]move
	// daemonSets are the DaemonSets ("namespace/name") found to exist: the
	// drain looks at the node's pods every Poll, and reading each
	// DaemonSet again at every look cost 8 requests a node (issue 18).
	daemonSets map[string]bool

	// retrying are the pods whose last eviction did not go through, asked
	// again when the backoff is due or a budget covering one allows a
	// disruption (allowsRefused, on an informer's goroutine: hence mu).
	mu       sync.Mutex
	retrying map[types.UID]*corev1.Pod
}

func newDrainer(r *Runner, run *Node, node string) *drainer {
	return &drainer{r: r, run: run, node: node, blocked: map[types.UID]bool{},
		patched: map[string]bool{}, unrolled: map[string]string{}, moves: map[string]move{}, daemonSets: map[string]bool{},
		retrying: map[types.UID]*corev1.Pod{}}
}

// evictUntil moves pods off until the node is empty (nil) or the deadline
// passed (the pods left). A round looks at the node's pods and sends on
// its way each one not leaving yet; a pod whose eviction was refused (a
// budget, an error) is asked again only once the backoff passed, or at
// once when a budget covering it allows a disruption again. Between
// rounds the loop sleeps until the backoff is due; over the caches a
// change of the node's pods (one gone) or such a budget wakes it sooner,
// over a live Kube a rollout under way is looked at every Poll.
func (d *drainer) evictUntil(ctx context.Context, deadline time.Time) ([]corev1.Pod, error) {
	pace := d.r.env.Pace
	wait := pace.EvictionRetry
	w := d.r.env.listen(change{podKind, onNode(d.node)}, change{pdbKind, d.allowsRefused})
	defer w.stop()
	const budgetAllows = 1 // the change of the listen above
	var retryAt time.Time  // when the pods refused are asked again
	for {
		pods, err := d.podsToMove(ctx)
		if err != nil || len(pods) == 0 {
			return nil, err
		}
		now := d.r.now()
		if !now.Before(deadline) {
			return pods, nil
		}
		retry := w.fired(budgetAllows) || !now.Before(retryAt)
		var budgets allowance // nil: no retry this round
		if retry {
			budgets = d.newAllowance(w)
		}
		progressed, rolling, err := d.moveAll(ctx, pods, retry, budgets)
		if err != nil {
			return nil, err
		}
		if progressed || retry {
			if progressed {
				wait = pace.EvictionRetry
			} else {
				wait = min(2*wait, pace.EvictionRetryCap)
			}
			retryAt = now.Add(wait)
		}
		next := retryAt.Sub(now)
		switch {
		case w.events() && !d.anyRefused():
			next = w.poll() // the pods' going wakes it
		case w.events():
			next = min(next, w.poll())
		case rolling:
			next = min(next, pace.Poll) // the Deployment controller moves the pod, not a retry of ours
		}
		if err := w.wait(ctx, min(next, max(deadline.Sub(d.r.now()), time.Millisecond))); err != nil {
			return nil, err
		}
	}
}

// moveAll sends each pod not already leaving on its way, by a rollout or
// an eviction; an eviction refused before is asked again only on retry,
// and within budgets (see allowance). progressed says one of them moved,
// rolling that a rollout is under way.
func (d *drainer) moveAll(ctx context.Context, pods []corev1.Pod, retry bool, budgets allowance) (progressed, rolling bool, err error) {
	d.keepRefused(pods)
	for i := range pods {
		pod := &pods[i]
		if pod.DeletionTimestamp != nil {
			continue // leaving already
		}
		m, err := d.howToMove(ctx, pod)
		if err != nil {
			d.r.env.Logger.Info("cannot tell how to move a pod, retrying", "pod", key(pod), "error", err)
			continue
		}
		var moved bool
		switch {
		case m.deployment != "":
			rolling = true
			moved, err = d.rollOut(ctx, pod, m.deployment)
		case d.wasRefused(pod) && (!retry || !budgets.mayRetry(ctx, d.r.env.Kube, pod)):
			continue
		default:
			moved, err = d.evict(ctx, pod, m.note)
			d.setRefused(pod, !moved && err == nil)
		}
		if err != nil {
			return false, false, err
		}
		progressed = progressed || moved
	}
	return progressed, rolling, nil
}

// onNode matches the pods bound to node (a wait's change).
func onNode(node string) func(any) bool {
	return func(obj any) bool {
		p, ok := obj.(*corev1.Pod)
		return ok && p.Spec.NodeName == node
	}
}

// reportedNode is the old node the drain's events are about.
func (d *drainer) reportedNode() string {
	if d.run != nil {
		return d.run.Old
	}
	return d.node
}

func (d *drainer) batch() int32 {
	if d.run != nil {
		return d.run.Batch
	}
	return 0
}

func key(pod *corev1.Pod) string { return pod.Namespace + "/" + pod.Name }
