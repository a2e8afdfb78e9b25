package engine

import (
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// The step times a successful execution leaves in its group's status
// (status.lastRebalanceTimings), for the Planner's expected duration of
// the group's next plan. They come from the clocks the record already
// keeps for its timeouts, each persisted, so a resumed execution still
// times its nodes from their real starts:
//
//	provisioning start (NodeBook.ProvisionStartedAt)
//	→ drain start      (NodeBook.DrainStartedAt; the replacement Ready, the old node cordoned)
//	→ drained          (NodeBook.VerifyStartedAt)
//	→ gone             (NodeExecution.phase_started_at of DONE)
//
// The record keeps no time for the end of the verification, so it counts
// in terminate with the deletes; a soak, which the plan sets and the
// Planner adds itself, is left out, and so is a wait for the batch that
// terminates the node (blue-green's TERMINATE batches start once every
// drain is done): terminate counts from that batch's start when later.

// readyPrecision is the resolution of a Node condition's transition time
// as the API server returns it.
const readyPrecision = time.Second

// stepTimes is one replaced node's steps.
type stepTimes struct {
	provision, drain, terminate time.Duration
}

// rebalanceTimings are the medians of the steps of the execution's
// replaced nodes, or nil when none was timed. nodes are the group's
// nodes now: a replacement's Ready transition tells a replacement made
// ahead, which then waited for its lane's previous node, from one that
// was cordoned as soon as it was Ready.
func rebalanceTimings(r *store.Record, nodes []corev1.Node, wall time.Duration) *v1alpha1.RebalanceTimings {
	readyAt := map[string]time.Time{}
	for i := range nodes {
		for _, c := range nodes[i].Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				readyAt[nodes[i].Name] = c.LastTransitionTime.Time
			}
		}
	}
	terminatedIn := map[string]int32{}
	for _, b := range r.Plan.GetBatches() {
		if b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE || b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE {
			for _, c := range b.GetNodes() {
				terminatedIn[c.GetNodeName()] = b.GetBatchNumber()
			}
		}
	}
	var timed []stepTimes
	for _, ne := range r.State.GetNodes() {
		nb := r.Book.Nodes[ne.GetOldNode()]
		if ne.GetPhase() != rebalancerv1.NodePhase_NODE_PHASE_DONE || nb == nil {
			continue
		}
		clocks := nodeClocks{gone: ne.GetPhaseStartedAt().AsTime(), soak: soakOf(r, ne), ready: readyAt[ne.GetNewNode()],
			terminateBatch: r.Book.BatchStartedAt[terminatedIn[ne.GetOldNode()]]}
		if s, ok := nodeTimes(nb, clocks); ok {
			timed = append(timed, s)
		}
	}
	if len(timed) == 0 {
		return nil
	}
	median := func(step func(stepTimes) time.Duration) metav1.Duration {
		d := make([]time.Duration, len(timed))
		for i, s := range timed {
			d[i] = step(s)
		}
		slices.Sort(d)
		return metav1.Duration{Duration: d[len(d)/2]}
	}
	return &v1alpha1.RebalanceTimings{Nodes: int32(len(timed)),
		Provision: median(func(s stepTimes) time.Duration { return s.provision }),
		Drain:     median(func(s stepTimes) time.Duration { return s.drain }),
		Terminate: median(func(s stepTimes) time.Duration { return s.terminate }),
		Wall:      metav1.Duration{Duration: wall}}
}

// nodeClocks are what the record and the cluster say of one node beside
// its book.
type nodeClocks struct {
	// gone is when the old node was gone; soak the soak its batch set.
	gone time.Time
	soak time.Duration
	// ready is the replacement's Ready transition, zero when unknown;
	// terminateBatch the start of the batch that terminated the node.
	ready, terminateBatch time.Time
}

// nodeTimes times one node; ok is false when a clock is missing or out of
// order (a record written before a clock existed). When the replacement's
// Ready transition is more than its resolution before the drain started,
// the replacement waited for its turn (made ahead in a lane, or
// blue-green's green set), and provision ends there instead.
func nodeTimes(nb *store.NodeBook, c nodeClocks) (stepTimes, bool) {
	p, d, v := nb.ProvisionStartedAt, nb.DrainStartedAt, nb.VerifyStartedAt
	if p.IsZero() || d.Before(p) || v.Before(d) || c.gone.Before(v) {
		return stepTimes{}, false
	}
	end := d
	if !c.ready.IsZero() && c.ready.Add(readyPrecision).Before(d) {
		end = maxTime(p, c.ready.Add(readyPrecision)) // an upper bound: the transition time is truncated
	}
	from := maxTime(v.Add(c.soak), c.terminateBatch)
	return stepTimes{provision: end.Sub(p), drain: v.Sub(d), terminate: max(c.gone.Sub(from), 0)}, true
}

// soakOf is the soak the node's batch set, spent between its verify and
// its terminate.
func soakOf(r *store.Record, ne *rebalancerv1.NodeExecution) time.Duration {
	batches := r.Plan.GetBatches()
	if b := int(ne.GetBatchNumber()); b >= 1 && b <= len(batches) && !r.Book.Nodes[ne.GetOldNode()].SoakStartedAt.IsZero() {
		return batches[b-1].GetSoakTime().AsDuration()
	}
	return 0
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
