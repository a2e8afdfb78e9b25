package engine

import (
	"context"
	"errors"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// reconcileNodes restores nodes left tainted (the replacing taint) by
// executions that will not touch them again: a final execution's old node
// gets its recorded original marks back. Nodes of running executions are
// left to their owner, or to the scan that takes a dead owner's execution
// over. A tainted node whose execution is missing from the store (the
// bucket was purged or rebuilt) is restored from the copy of its original
// marks on the node (AnnotationOriginalMarks) when this installation noted
// it; another installation's node is its own to restore, and one without
// a note is only reported, since guessing what it had would do harm. The
// records are read only when some node is tainted, so a pass over a
// quiet cluster costs one listing of nodes.
func (e *Executor) reconcileNodes(ctx context.Context) error {
	nodes, err := e.allNodes(ctx)
	if err != nil {
		return err
	}
	var tainted []*corev1.Node
	for i := range nodes {
		if nodestep.HasReplacingTaint(&nodes[i]) {
			tainted = append(tainted, &nodes[i])
		}
	}
	if len(tainted) == 0 {
		return nil
	}
	// Read after the nodes: an execution records a node's marks before it
	// taints it, so a node seen tainted is in the records read here.
	recs := sync.OnceValues(func() ([]*store.Record, error) { return e.deps.Store.List(ctx) })
	noted := recordsOnce(e.deps.Store)
	var errs []error
	for _, n := range tainted {
		errs = append(errs, e.reconcileNode(ctx, n, noted, recs))
	}
	return errors.Join(errs...)
}

// reconcileNode restores one tainted node, unless a live execution owns
// it. The note on the node names the execution that tainted it last: one
// not final is at work on it, whatever older records say.
func (e *Executor) reconcileNode(ctx context.Context, n *corev1.Node, get recordGetter, records func() ([]*store.Record, error)) error {
	note, noted := nodestep.NoteOn(n)
	if noted {
		rec, err := get(ctx, note.Execution)
		if err == nil && !isFinal(rec.State.GetStatus()) {
			return nil // its owner (or whoever takes it over) restores it
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	recs, err := records()
	if err != nil {
		return err
	}
	rec, original := taintedBy(n.Name, recs)
	if rec != nil && !isFinal(rec.State.GetStatus()) {
		return nil
	}
	if rec == nil {
		return e.restoreFromNote(ctx, n, note, noted)
	}
	e.deps.Logger.Warn("restoring a node tainted by an execution that ended", "node", n.Name, "execution", rec.State.GetExecutionId())
	return nodestep.RestoreMarks(ctx, nodestep.NewKube(e.deps.Kube), n.Name, original)
}

// allNodes are the cluster's nodes from the steps' node informer when
// there is one (a listing every pass was most of the reconciler's
// requests), else listed. Its lag only delays a restore by a pass: a node
// seen tainted was tainted after its marks were recorded, and a restore
// reads the node live before it writes.
func (e *Executor) allNodes(ctx context.Context) ([]corev1.Node, error) {
	if c, ok := e.deps.StepKube.(*nodestep.KubeCache); ok {
		return c.CachedGroupNodes(labels.Everything())
	}
	list, err := e.deps.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// recordGetter reads an execution's record.
type recordGetter func(ctx context.Context, id string) (*store.Record, error)

// recordsOnce reads each execution once: every old node of a running
// execution carries its note, and a pass would otherwise read the same
// record once a node (100 reads every pass at 100 nodes).
func recordsOnce(s store.Store) recordGetter {
	type read struct {
		rec *store.Record
		err error
	}
	reads := map[string]read{}
	return func(ctx context.Context, id string) (*store.Record, error) {
		r, ok := reads[id]
		if !ok {
			r.rec, r.err = s.Get(ctx, id)
			reads[id] = r
		}
		return r.rec, r.err
	}
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
func (e *Executor) restoreFromNote(ctx context.Context, n *corev1.Node, note nodestep.MarksNote, noted bool) error {
	if !noted {
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
