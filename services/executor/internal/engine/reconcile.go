package engine

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Reconcile restores nodes left tainted (the replacing taint) by
// executions that will not touch them again: a final execution's old node
// gets its recorded original marks back. Nodes of running executions are
// left to their owner, or to the scan that takes a dead owner's execution
// over. A tainted node whose execution is missing from the store (the
// bucket was purged or rebuilt) is restored from the copy of its original
// marks on the node (AnnotationOriginalMarks) when this installation noted
// it; another installation's node is its own to restore, and one without
// a note is only reported, since guessing what it had would do harm. It
// then clears the NodeGroup locks left by executions that ended or are
// gone (sweepLocks; the scan does so every minute too). Run at start-up;
// idempotent, so replicas may run it at once.
func (e *Executor) Reconcile(ctx context.Context) error {
	return errors.Join(e.reconcileNodes(ctx), e.sweepLocks(ctx))
}

// reconcileNodes restores the nodes left tainted (see Reconcile).
func (e *Executor) reconcileNodes(ctx context.Context) error {
	nodes, err := e.deps.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	recs, err := e.deps.Store.List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for i := range nodes.Items {
		n := &nodes.Items[i]
		if !nodestep.HasReplacingTaint(n) {
			continue
		}
		errs = append(errs, e.reconcileNode(ctx, n, recs))
	}
	return errors.Join(errs...)
}

// reconcileNode restores one tainted node, unless a live execution owns it.
func (e *Executor) reconcileNode(ctx context.Context, n *corev1.Node, recs []*store.Record) error {
	rec, original := taintedBy(n.Name, recs)
	if rec != nil && !isFinal(rec.State.GetStatus()) {
		return nil // its owner (or whoever takes it over) restores it
	}
	if rec == nil {
		return e.restoreFromNote(ctx, n)
	}
	e.deps.Logger.Warn("restoring a node tainted by an execution that ended", "node", n.Name, "execution", rec.State.GetExecutionId())
	return nodestep.RestoreMarks(ctx, nodestep.NewKube(e.deps.Kube), n.Name, original)
}

// taintedBy finds the execution that recorded the node's original marks
// (it tainted the node), preferring one still running.
func taintedBy(node string, recs []*store.Record) (*store.Record, *store.Marks) {
	var found *store.Record
	var original *store.Marks
	for _, r := range recs {
		b := r.Book.Nodes[node]
		if b == nil || b.Original == nil {
			continue
		}
		if found == nil || !isFinal(r.State.GetStatus()) {
			found, original = r, b.Original
		}
	}
	return found, original
}

// restoreFromNote restores a tainted node whose execution the store does
// not hold, from the marks noted on the node.
func (e *Executor) restoreFromNote(ctx context.Context, n *corev1.Node) error {
	note, ok := nodestep.NoteOn(n)
	if !ok {
		e.deps.Logger.Warn("node carries the replacing taint but neither a record nor the node says what it had; an operator must look", "node", n.Name)
		return nil
	}
	if note.Installation != e.deps.Installation {
		e.deps.Logger.Info("node tainted by another installation left to it", "node", n.Name,
			"installation", note.Installation, "execution", note.Execution)
		return nil
	}
	e.deps.Logger.Warn("restoring a node tainted by an execution missing from the store, from the marks noted on the node",
		"node", n.Name, "execution", note.Execution)
	return nodestep.RestoreMarks(ctx, nodestep.NewKube(e.deps.Kube), n.Name, &note.Marks)
}
