package engine

import (
	"context"
	"errors"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Reconcile restores nodes left marked (the replacing taint) by executions
// that will not touch them again: a final execution's old node gets its
// recorded original marks back. Nodes of running executions are left to
// their owner, or to the scan that takes a dead owner's execution over.
// A marked node whose execution is missing from the store (the bucket
// was purged or rebuilt) is restored from the copy of its original marks
// on the node (AnnotationOriginalMarks) when this installation noted it;
// another installation's node is its own to restore, and one without a
// note is only reported, since guessing what it had would do harm. Run at
// start-up; idempotent, so replicas may run it at once.
func (e *Executor) Reconcile(ctx context.Context) error {
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
		if !slices.ContainsFunc(n.Spec.Taints, isReplacingTaint) {
			continue
		}
		errs = append(errs, e.reconcileNode(ctx, n, recs))
	}
	return errors.Join(errs...)
}

// reconcileNode restores one marked node, unless a live execution owns it.
func (e *Executor) reconcileNode(ctx context.Context, n *corev1.Node, recs []*store.Record) error {
	rec, original := markedBy(n.Name, recs)
	if rec != nil && !isFinal(rec.State.GetStatus()) {
		return nil // its owner (or whoever takes it over) restores it
	}
	if rec == nil {
		return e.restoreFromNote(ctx, n)
	}
	x := &execution{deps: &e.deps, rec: rec}
	e.deps.Logger.Warn("restoring a node marked by an execution that ended", "node", n.Name, "execution", rec.State.GetExecutionId())
	return x.restoreOldNode(ctx, n.Name, original)
}

// markedBy finds the execution that recorded marking the node, preferring
// one still running.
func markedBy(node string, recs []*store.Record) (*store.Record, *store.Marks) {
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

// restoreFromNote restores a marked node whose execution the store does
// not hold, from the marks noted on the node.
func (e *Executor) restoreFromNote(ctx context.Context, n *corev1.Node) error {
	note, ok := noteOn(n)
	if !ok {
		e.deps.Logger.Warn("node carries the replacing taint but neither a record nor the node says what it had; an operator must look", "node", n.Name)
		return nil
	}
	if note.Installation != e.deps.Installation {
		e.deps.Logger.Info("node marked by another installation left to it", "node", n.Name,
			"installation", note.Installation, "execution", note.Execution)
		return nil
	}
	e.deps.Logger.Warn("restoring a node marked by an execution missing from the store, from the marks noted on the node",
		"node", n.Name, "execution", note.Execution)
	x := &execution{deps: &e.deps}
	return x.restoreOldNode(ctx, n.Name, &note.Marks)
}
