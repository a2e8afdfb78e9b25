package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// One execution per group: the NodeGroup's status.activeExecution is the
// group's lock. It lives in the cluster, not in the store, because two
// installations of the Executor may share a cluster without sharing a
// store; a status write carrying the resourceVersion it read is the
// cluster's compare-and-swap, so of two executors taking a free lock at
// once (replicas or installations), one writes and the other reads the
// winner. The accepting executor takes it after every other check passed
// (a refusal writes nothing) and before it stores the execution; the
// execution keeps it while not final and clears it at the end
// (updateGroup). A lock whose execution its installation's store holds
// final, or does not hold lockGrace after it was taken, is stale: an
// executor of that installation takes it over when it accepts a plan for
// the group, and the reconcile clears it (sweepLocks).

// lockGrace is how long a lock whose execution is missing from the store
// stands: the accepting replica takes the lock just before it stores the
// execution.
const lockGrace = time.Minute

// lockAttempts bounds the reads and writes of one take of the lock when
// other writers of the group's status keep conflicting.
const lockAttempts = 8

// takeGroup makes p's execution id the holder of the group's lock,
// starting from group as last read: nothing is written when it holds it
// already; a free or stale lock is taken by a resourceVersion-checked
// status write; one another execution holds is refused (*accept.Refusal,
// one_execution_per_group), as is a group recreated meanwhile.
//
// group comes from the guards' cache (groupcache.go). The lock stays a
// live read wherever it decides anything: only a cached copy that shows
// this very execution holding the lock is taken at its word, since the
// lock, once this execution's, changes by no hand but its own while it
// runs (the sweep clears only the lock of an execution the store holds
// final or does not hold, and other executions are refused a held lock);
// that is every guard of a running execution. Any other case (a free,
// stale or foreign lock, a group recreated) is read again live first, so
// a refusal or a compare-and-swap never rests on a copy a moment old.
func takeGroup(ctx context.Context, d *Deps, group *v1alpha1.NodeGroup, p *rebalancerv1.RebalancePlan, id string) error {
	groups := d.Groups.NodeGroups(p.GetNamespace())
	if holdsLock(d, group, p, id) {
		return nil
	}
	ng, err := readLock(ctx, groups, p)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		if string(ng.UID) != p.GetNodeGroupUid() {
			return &accept.Refusal{Rule: accept.RuleNodeGroup, Reason: fmt.Sprintf(
				"NodeGroup %s/%s was recreated (UID %s, the plan's %s)", ng.Namespace, ng.Name, ng.UID, p.GetNodeGroupUid())}
		}
		holder := ng.Status.ActiveExecution
		// The same plan run by another installation is another execution.
		mine := holder != nil && holder.PlanID == p.GetPlanId() && (holder.Installation == "" || holder.Installation == d.Installation)
		if holdsLock(d, ng, p, id) {
			return nil
		}
		if holder != nil && !mine {
			stale, err := staleLock(ctx, d, holder)
			if err != nil {
				return err
			}
			if !stale {
				return accept.Busy(ng, holder)
			}
			d.Logger.Warn("taking over a NodeGroup lock left by an execution that ended or is gone",
				"group", ng.Namespace+"/"+ng.Name, "holder", holderID(holder), "execution", id)
		}
		since := d.Clock.Now()
		if mine {
			since = holder.StartTime.Time
		}
		ng.Status.ActiveExecution = &v1alpha1.ActiveExecution{PlanID: p.GetPlanId(), ExecutionID: id, Installation: d.Installation,
			StartTime: metav1.NewTime(since), TargetOffering: p.GetOpportunity().GetTargetOffering()}
		_, err = groups.UpdateStatus(ctx, ng, metav1.UpdateOptions{})
		if err == nil {
			return nil
		}
		if !apierrors.IsConflict(err) || attempt == lockAttempts {
			return fmt.Errorf("take the lock of NodeGroup %s/%s: %w", ng.Namespace, ng.Name, err)
		}
		if ng, err = readLock(ctx, groups, p); err != nil {
			return err
		}
	}
}

// readLock reads p's group live, for a decision on its lock.
func readLock(ctx context.Context, groups autoscaler.NodeGroupInterface, p *rebalancerv1.RebalancePlan) (*v1alpha1.NodeGroup, error) {
	ng, err := groups.Get(ctx, p.GetNodeGroup(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, &accept.Refusal{Rule: accept.RuleNodeGroup, Reason: fmt.Sprintf("NodeGroup %s/%s does not exist", p.GetNamespace(), p.GetNodeGroup())}
	}
	if err != nil {
		return nil, fmt.Errorf("read NodeGroup %s/%s: %w", p.GetNamespace(), p.GetNodeGroup(), err)
	}
	return ng, nil
}

// holdsLock reports whether ng, as read, is p's group with its lock held
// by execution id of this installation.
func holdsLock(d *Deps, ng *v1alpha1.NodeGroup, p *rebalancerv1.RebalancePlan, id string) bool {
	h := ng.Status.ActiveExecution
	return string(ng.UID) == p.GetNodeGroupUid() && h != nil && h.PlanID == p.GetPlanId() &&
		h.ExecutionID == id && h.Installation == d.Installation
}

// releaseGroup clears the group's lock if p's execution holds it (a plan
// whose execution could not be stored); best effort, the sweep clears
// what it leaves.
func releaseGroup(ctx context.Context, d *Deps, p *rebalancerv1.RebalancePlan) {
	groups := d.Groups.NodeGroups(p.GetNamespace())
	ng, err := groups.Get(ctx, p.GetNodeGroup(), metav1.GetOptions{})
	if err == nil && ng.Status.ActiveExecution != nil && ng.Status.ActiveExecution.PlanID == p.GetPlanId() {
		ng.Status.ActiveExecution = nil
		_, err = groups.UpdateStatus(ctx, ng, metav1.UpdateOptions{})
	}
	if err != nil {
		d.Logger.Warn("NodeGroup lock not released; the reconcile will", "group", p.GetNamespace()+"/"+p.GetNodeGroup(), "error", err)
	}
}

// staleLock reports whether holder's execution will not act on the group
// again, by this installation's store: it is final, or the store does not
// hold it lockGrace after the lock was taken. Another installation's lock
// is never stale here, since its store is not this one; a lock that names
// no installation was written before locks did, and is judged here.
func staleLock(ctx context.Context, d *Deps, holder *v1alpha1.ActiveExecution) (bool, error) {
	if holder.Installation != "" && holder.Installation != d.Installation {
		return false, nil
	}
	rec, err := d.Store.Get(ctx, holderID(holder))
	if errors.Is(err, store.ErrNotFound) {
		return d.Clock.Since(holder.StartTime.Time) > lockGrace, nil
	}
	if err != nil {
		return false, err
	}
	return isFinal(rec.State.GetStatus()), nil
}

// holderID is the execution holding a lock.
func holderID(holder *v1alpha1.ActiveExecution) string {
	if holder.ExecutionID != "" {
		return holder.ExecutionID
	}
	return naming.ExecutionID(holder.PlanID)
}

// sweepLocks clears the stale locks of every NodeGroup (see staleLock),
// each by a resourceVersion-checked write: a group whose status changed
// meanwhile is left for the next sweep.
func (e *Executor) sweepLocks(ctx context.Context) error {
	list, err := e.deps.Groups.NodeGroups(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list NodeGroups: %w", err)
	}
	var errs []error
	for i := range list.Items {
		ng := &list.Items[i]
		holder := ng.Status.ActiveExecution
		if holder == nil {
			continue
		}
		stale, err := staleLock(ctx, &e.deps, holder)
		if err != nil || !stale {
			errs = append(errs, err)
			continue
		}
		e.deps.Logger.Warn("releasing a NodeGroup lock left by an execution that ended or is gone",
			"group", ng.Namespace+"/"+ng.Name, "execution", holderID(holder))
		ng.Status.ActiveExecution = nil
		if _, err := e.deps.Groups.NodeGroups(ng.Namespace).UpdateStatus(ctx, ng, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
			errs = append(errs, fmt.Errorf("release the lock of NodeGroup %s/%s: %w", ng.Namespace, ng.Name, err))
		}
	}
	return errors.Join(errs...)
}
