package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/policy"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// The live guards (package accept) hold an accepted plan to the cluster
// as it is now, wherever the Executor decides to act anew: when an
// operator approves or resumes it (the refusal is the caller's answer and
// nothing is written), when a replica takes it up from the store
// (accepted here, claimed after its owner died, resumed by the schedule;
// drive), and before each batch starts. Without a caller, a refusal that
// passes with time (the schedule) pauses the execution until the schedule
// allows it (window.go), and any other fails it safely: what is in flight
// is rolled back by the usual path. A rollback is not held to them: a
// disabled group or a closed window must not keep a replacement billing
// or an old node cordoned; it is held only to its stored plan being
// intact (accept.Intact).

// guardAttempts bounds the tries of a guard the cluster does not answer,
// a second apart and doubling, before a batch fails for it.
const guardAttempts = 4

// guardLive runs the live guards at at and then holds the group's lock:
// nil, a *accept.Refusal, or the error of a cluster that could not be read.
func guardLive(ctx context.Context, d *Deps, rec *store.Record, at accept.At) error {
	group, err := d.checker.Guard(ctx, rec.Plan, at)
	if err != nil {
		return err
	}
	return takeGroup(ctx, d, group, rec.Plan, rec.State.GetExecutionId())
}

// guardAt is the moment of the guards for rec now: a start when it has
// not started yet, the nodes it has still to work on.
func guardAt(d *Deps, rec *store.Record, schedule bool) accept.At {
	return accept.At{Now: d.Clock.Now(), Start: rec.State.GetStartedAt() == nil, MaxPlanAge: d.MaxPlanAge,
		Schedule: schedule, Nodes: pendingNodes(rec, nil)}
}

// operatorGuard is what an operator's approval or resumption passes
// before it takes the execution: the stored plan intact, the live guards
// with the schedule, the group's lock.
func (e *Executor) operatorGuard(ctx context.Context, rec *store.Record) error {
	if err := accept.Intact(rec.Plan); err != nil {
		return err
	}
	return guardLive(ctx, &e.deps, rec, guardAt(&e.deps, rec, true))
}

// pendingNodes are the old nodes of the plan (of batch, when not nil) not
// yet being terminated: those the guards hold to the cluster, since a
// node further on may be gone by the execution's own hand.
func pendingNodes(rec *store.Record, batch *rebalancerv1.NodeBatch) []*rebalancerv1.CandidateNode {
	phase := map[string]rebalancerv1.NodePhase{}
	for _, ne := range rec.State.GetNodes() {
		phase[ne.GetOldNode()] = ne.GetPhase()
	}
	batches := rec.Plan.GetBatches()
	if batch != nil {
		batches = []*rebalancerv1.NodeBatch{batch}
	}
	var out []*rebalancerv1.CandidateNode
	var seen []string
	for _, b := range batches {
		for _, c := range b.GetNodes() {
			if slices.Contains(seen, c.GetNodeName()) || phase[c.GetNodeName()] >= rebalancerv1.NodePhase_NODE_PHASE_TERMINATING {
				continue
			}
			seen = append(seen, c.GetNodeName())
			out = append(out, c)
		}
	}
	return out
}

// guard runs the live guards for x at its next step, trying again while
// the cluster does not answer.
func (x *execution) guard(ctx context.Context, schedule bool, batch *rebalancerv1.NodeBatch) error {
	wait := time.Second
	for attempt := 1; ; attempt++ {
		var rec *store.Record
		x.view(func(r *store.Record) { rec = r.Clone() })
		at := guardAt(x.deps, rec, schedule)
		if batch != nil {
			at.Nodes = pendingNodes(rec, batch)
		}
		err := guardLive(ctx, x.deps, rec, at)
		if _, refused := accept.AsRefusal(err); err == nil || refused || attempt == guardAttempts || ctx.Err() != nil {
			return err
		}
		x.deps.Logger.Warn("live guards could not read the cluster; trying again", "execution", x.id(), "error", err)
		if err := x.sleep(ctx, wait); err != nil {
			return err
		}
		wait *= 2
	}
}

// proceed runs a PENDING or RUNNING execution taken up from the store from
// where it stands, once its live guards pass: the schedule too when it
// has not started (a running one's batches in flight finish, and each
// batch to come is guarded before it starts).
func (x *execution) proceed(ctx context.Context) error {
	starting := x.snapshot().GetStatus() == pending
	if err := x.guard(ctx, starting, nil); err != nil {
		return x.meet(ctx, err)
	}
	if starting {
		if err := x.start(ctx); err != nil {
			return err
		}
	}
	return x.runToEnd(ctx)
}

// meet acts on a guard's error without a caller to answer: a refusal that
// passes with time pauses the execution until the schedule allows it,
// any other fails it; an error of the cluster stops the run as it is,
// for the next holder of the lease to try again.
func (x *execution) meet(ctx context.Context, err error) error {
	r, refused := accept.AsRefusal(err)
	if !refused {
		return err
	}
	if r.Waits() {
		return x.pauseForWindow(ctx, r)
	}
	return x.failGuarded(ctx, r)
}

// failGuarded fails the execution for a refusal of its live guards, with
// its reason in the status message and errors: what is in flight is
// rolled back as after any failure; an execution that started no batch
// has nothing to undo and ends FAILED.
func (x *execution) failGuarded(ctx context.Context, r *accept.Refusal) error {
	x.deps.Logger.Warn("execution stopped by its live guards", "execution", x.id(), "rule", string(r.Rule), "reason", r.Reason)
	var begun bool
	if err := x.update(ctx, func(rec *store.Record) {
		rec.State.StatusMessage = "Stopped: " + r.Reason
		rec.State.Errors = append(rec.State.Errors, r.Error())
		begun = len(rec.Book.BatchStartedAt) > 0
	}); err != nil {
		return err
	}
	if !begun {
		return x.finish(ctx, failed)
	}
	return x.afterFailure(ctx)
}

// refuseBatch fails batch b, which did not start because its live guards
// refused it (BATCH_FAILED, once): the execution fails as after any
// failed batch.
func (x *execution) refuseBatch(ctx context.Context, b *rebalancerv1.NodeBatch, r *accept.Refusal) error {
	err := fmt.Errorf("batch %d did not start: %w", b.GetBatchNumber(), r)
	uerr := x.update(ctx, func(rec *store.Record) {
		rec.State.StatusMessage = fmt.Sprintf("Stopped before batch %d: %s", b.GetBatchNumber(), r.Reason)
	})
	return errors.Join(err, uerr, x.failBatch(ctx, b.GetBatchNumber(), err))
}

// LivePolicy implements nodestep.Execution: the plan's NodeGroup's policy
// now, defaults applied, or an error when it cannot be read or the group
// is not the plan's any more. "Now" is the watch-fed cache the guards
// read too (groupcache.go): an edit of the policy reaches it within
// moments, without a read of the cluster at every step that asks.
func (v stepView) LivePolicy(ctx context.Context) (*rebalancerv1.RebalancePolicy, error) {
	p := v.x.plan()
	ng, err := v.x.deps.groupReads().NodeGroups(p.GetNamespace()).Get(ctx, p.GetNodeGroup(), metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("read NodeGroup %s/%s: %w", p.GetNamespace(), p.GetNodeGroup(), err)
	}
	if string(ng.UID) != p.GetNodeGroupUid() {
		return nil, fmt.Errorf("NodeGroup %s/%s has UID %s, not the plan's %s", p.GetNamespace(), p.GetNodeGroup(), ng.UID, p.GetNodeGroupUid())
	}
	return policy.FromSpec(ng.Spec.Rebalancing), nil
}
