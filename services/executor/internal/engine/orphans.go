package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// An orphan is a replacement machine that no execution will take care
// of: its execution is missing from the store (a lost bucket, a crash
// between the order and the record in an older version), or ended without
// keeping it (a join retried, a rollback that could not delete it, a
// cancel). How one is recognised:
//   - vm mode: the tag rebalancer:<installation>/<execution>/<old node>
//     the provision step puts on every VM it orders (cloud.Replacement);
//   - managed mode: the claim annotation <execution>/<old node> on the
//     Node (v1alpha1.AnnotationReplacementFor). It names no installation,
//     so only a claim by an execution this installation's store holds is
//     judged; a node added by VPSie but never claimed is deleted by its
//     lane when the lane knows it bought it (DeleteReplacement), and
//     otherwise found by when and where it was added, once the cluster's
//     executions ended (managedorphans.go).

// replacement is one machine a replacement tag or claim names.
type replacement struct {
	mode     string // modeVM or modeManaged
	id       string // the VM's identifier (the VPSie node's, managed)
	hostname string
	created  time.Time
	of       cloud.Replacement
	node     *corev1.Node // its Node; nil when none registered
	// groupLabel is the group its VM or node is labelled for.
	groupLabel string
}

const (
	modeVM      = "vm"
	modeManaged = "managed"
)

// AnnotationAdopted marks a Node the reconciler adopted: an orphan its
// group needed, a member from then on, never judged again.
const AnnotationAdopted = "rebalancer.autoscaler.vpsie.io/adopted-from"

// verdict is what the reconciler does with a replacement.
type verdict int

const (
	keepIt    verdict = iota // its execution runs, or kept it
	waitGrace                // an orphan within its grace period
	adoptIt                  // an orphan its group needs: kept
	deleteIt                 // an orphan: deleted, its pods moved first
)

// judgement is a verdict and the sentence that explains it.
type judgement struct {
	verdict verdict
	reason  string
}

// orphanFacts are what judge needs besides the replacement.
type orphanFacts struct {
	rec    *store.Record // its execution; nil when missing
	now    time.Time
	grace  time.Duration
	needed bool // its group has fewer serving members than its floor without it
}

// judge decides what becomes of a replacement.
func judge(r replacement, f orphanFacts) judgement {
	since := r.created
	switch {
	case f.rec == nil && r.mode == modeManaged:
		return judgement{keepIt, "claimed by an execution this installation's store does not hold (perhaps another installation's)"}
	case f.rec != nil && !isFinal(f.rec.State.GetStatus()):
		return judgement{keepIt, "its execution has not ended"}
	case f.rec != nil && kept(f.rec, r):
		return judgement{keepIt, "its execution kept it"}
	case f.rec != nil:
		since = later(since, f.rec.State.GetCompletedAt().AsTime())
	}
	why := "its execution " + r.of.Execution + " is missing from the store"
	if f.rec != nil {
		why = fmt.Sprintf("its execution %s ended %s without keeping it", r.of.Execution, statusName(f.rec.State.GetStatus()))
	}
	if left := f.grace - f.now.Sub(since); left > 0 {
		return judgement{waitGrace, fmt.Sprintf("%s; reclaimed in %s", why, left.Round(time.Second))}
	}
	if r.node != nil && kube.NodeReady(r.node) && f.needed {
		return judgement{adoptIt, why + "; Ready, and its group is below its minNodes without it"}
	}
	return judgement{deleteIt, why}
}

// kept reports whether a final execution kept r: the replacement of its
// old node that took that node's place (TERMINATING or DONE), as rollback
// keeps it.
func kept(rec *store.Record, r replacement) bool {
	for _, ne := range rec.State.GetNodes() {
		if ne.GetOldNode() != r.of.OldNode {
			continue
		}
		took := ne.GetPhase() == rebalancerv1.NodePhase_NODE_PHASE_TERMINATING || ne.GetPhase() == rebalancerv1.NodePhase_NODE_PHASE_DONE
		same := ne.GetNewVmIdentifier() == r.id || (r.hostname != "" && ne.GetNewHostname() == r.hostname) ||
			(r.node != nil && ne.GetNewNode() == r.node.Name)
		return took && same
	}
	return false
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// reclaimOrphans judges every replacement of this installation and acts
// on the verdicts; one that cannot be acted on is reported and tried again
// at the next pass.
func (e *Executor) reclaimOrphans(ctx context.Context) error {
	w, err := e.readWorld(ctx)
	if err != nil {
		return err
	}
	found, err := e.replacements(ctx, w)
	if err != nil {
		return err
	}
	// A cluster that cannot be listed leaves the others' to be judged.
	unclaimed, unclaimedErr := e.unclaimedManaged(ctx, w) // managedorphans.go
	errs := []error{unclaimedErr}
	for _, r := range append(found, unclaimed...) {
		errs = append(errs, e.reclaim(ctx, w, r))
	}
	return errors.Join(errs...)
}

// reclaim judges one replacement and carries the verdict out.
func (e *Executor) reclaim(ctx context.Context, w *world, r replacement) error {
	rec, err := w.record(ctx, e.deps.Store, r.of.Execution)
	if err != nil {
		return err
	}
	group := w.groupOf(r, rec)
	j := judge(r, orphanFacts{rec: rec, now: e.deps.Clock.Now(), grace: e.deps.Reconcile.OrphanGrace, needed: w.needs(group, r.node)})
	log := e.deps.Logger.With("mode", r.mode, "machine", r.id, "hostname", r.hostname, "execution", r.of.Execution,
		"old_node", r.of.OldNode, "reason", j.reason)
	switch j.verdict {
	case waitGrace:
		log.Debug("orphan replacement waits out its grace period")
	case adoptIt:
		return e.adoptOrphan(ctx, r, group, j.reason, log)
	case deleteIt:
		return e.deleteOrphan(ctx, r, group, j.reason, log)
	}
	return nil
}

// splitClaim reads a claim annotation, <execution>/<old node>.
func splitClaim(value string) (execution, old string, ok bool) {
	execution, old, ok = strings.Cut(value, "/")
	return execution, old, ok && execution != "" && old != ""
}
