package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/semaphore"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// errStopped: a batch did not start because an earlier one failed.
var errStopped = errors.New("stopped after a failed batch")

// runBatches starts the batches in batch_number order, each once every
// batch it depends on completed and soaked, with at most the plan's
// max_concurrent nodes in running batches. The first failure, or a batch
// the group's schedule does not let start, stops new batches from
// starting; running ones finish or fail. A failure outweighs the schedule:
// only when nothing failed does the execution pause for it.
func (x *execution) runBatches(ctx context.Context) error {
	p := x.plan()
	batches := p.GetBatches()
	if inLanes(batches) {
		return x.runLanes(ctx)
	}
	done := make([]chan struct{}, len(batches))
	for i := range done {
		done[i] = make(chan struct{})
	}
	stop := make(chan struct{})
	var stopOnce sync.Once
	var mu sync.Mutex
	var errs []error
	limit := int64(max(p.GetMaxConcurrent(), 1))
	sem := semaphore.NewWeighted(limit)
	var wg sync.WaitGroup
	for i, b := range batches {
		if err := x.awaitDependencies(ctx, b, done, stop); err != nil {
			break
		}
		weight := min(int64(len(b.GetNodes())), limit)
		if err := sem.Acquire(ctx, weight); err != nil {
			break
		}
		wg.Go(func() {
			defer sem.Release(weight)
			if err := x.runBatch(ctx, b); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				stopOnce.Do(func() { close(stop) })
				return
			}
			close(done[i])
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return outcome(errs)
}

// outcome is the batches' errors as one: the failures, or else the
// schedule's refusal.
func outcome(errs []error) error {
	var failures []error
	var closed error
	for _, err := range errs {
		var w *windowClosed
		if errors.As(err, &w) {
			closed = err
			continue
		}
		failures = append(failures, err)
	}
	if len(failures) > 0 {
		return errors.Join(failures...)
	}
	return closed
}

// awaitDependencies waits for b's dependencies to complete and soak.
func (x *execution) awaitDependencies(ctx context.Context, b *rebalancerv1.NodeBatch, done []chan struct{}, stop chan struct{}) error {
	for _, dep := range b.GetDependsOn() {
		if err := x.awaitBatch(ctx, dep, done, stop); err != nil {
			return err
		}
	}
	select {
	case <-stop:
		return errStopped
	default:
		return nil
	}
}

// awaitBatch waits for batch dep to complete, then for its soak time
// unless its nodes soaked before it completed.
func (x *execution) awaitBatch(ctx context.Context, dep int32, done []chan struct{}, stop chan struct{}) error {
	select {
	case <-done[dep-1]:
	case <-stop:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	var doneAt = x.now()
	x.view(func(r *store.Record) { doneAt = r.Book.BatchDoneAt[dep] })
	b := x.plan().GetBatches()[dep-1]
	if soak := b.GetSoakTime().AsDuration(); soak > 0 && !soaksInside(b) {
		return x.sleep(ctx, doneAt.Add(soak).Sub(x.now()))
	}
	return nil
}

// soaksInside reports whether a batch's soak is its nodes' own, before it
// completes: a batch that moves workloads keeps each old node through its
// soak (nodestep.SoakSteps), so the health gate can still give it back.
func soaksInside(b *rebalancerv1.NodeBatch) bool {
	return b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE || b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN
}

// runBatch runs one batch to its end, reporting its start and outcome
// once per execution, however often it is resumed. A batch not started
// yet starts only once its live guards pass (guard.go): the schedule
// refusing it pauses the execution, any other refusal fails it.
func (x *execution) runBatch(ctx context.Context, b *rebalancerv1.NodeBatch) error {
	already, err := x.openBatch(ctx, b)
	if err != nil || already {
		return err // already: completed before a restart; its BATCH_COMPLETED went out with that fact
	}
	if err := x.batchWork(ctx, b); err != nil {
		if ctx.Err() == nil && !errors.Is(err, errInterrupted) {
			err = errors.Join(err, x.failBatch(ctx, b.GetBatchNumber(), err))
		}
		return err
	}
	return x.completeBatch(ctx, b.GetBatchNumber())
}

// openBatch starts batch b: already reports it completed before a
// restart (nothing to do); a batch not started yet starts only once its
// live guards pass (guard.go).
func (x *execution) openBatch(ctx context.Context, b *rebalancerv1.NodeBatch) (already bool, err error) {
	number := b.GetBatchNumber()
	var started bool
	x.view(func(r *store.Record) { already, started = r.Book.BatchDone(number), r.Book.BatchStarted(number) })
	if already {
		return true, nil
	}
	if x.interruptRequested() {
		return false, errInterrupted
	}
	if !started {
		if err := x.guard(ctx, true, b); err != nil {
			return false, x.refused(ctx, b, err)
		}
	}
	return false, x.startBatch(ctx, b)
}

// refused is what a batch's failed guard means: the schedule refusing it
// pauses the execution, any other refusal fails it.
func (x *execution) refused(ctx context.Context, b *rebalancerv1.NodeBatch, err error) error {
	r, refused := accept.AsRefusal(err)
	switch {
	case refused && r.Waits():
		return &windowClosed{refusal: r}
	case refused:
		return x.refuseBatch(ctx, b, r)
	case ctx.Err() == nil:
		err = fmt.Errorf("batch %d did not start: %w", b.GetBatchNumber(), err)
		return errors.Join(err, x.failBatch(ctx, b.GetBatchNumber(), err))
	}
	return err
}

// batchWork is what each kind of batch does to its nodes, with the step
// lists of package nodestep. A REPLACE batch makes every replacement Ready
// before it breaks any old node (make before break for the whole batch: a
// surge batch's replacements all exist first). A batch that soaks keeps
// its drained old nodes through the soak (SoakSteps do nothing otherwise).
func (x *execution) batchWork(ctx context.Context, b *rebalancerv1.NodeBatch) error {
	nodes := x.nodesOf(b)
	switch b.GetPhase() {
	case rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE:
		if err := x.parallel(ctx, nodes, nodestep.MakeSteps); err != nil {
			return err
		}
		return x.parallel(ctx, nodes, nodestep.CordonSteps, nodestep.DrainSteps, nodestep.SoakSteps, nodestep.TerminateSteps)
	case rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION:
		return x.parallel(ctx, nodes, nodestep.MakeSteps)
	case rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN:
		if err := x.steps.CordonBlue(ctx, b.GetBatchNumber()); err != nil {
			return err
		}
		return x.parallel(ctx, nodes, nodestep.DrainSteps, nodestep.SoakSteps)
	case rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE:
		return x.parallel(ctx, nodes, nodestep.TerminateSteps)
	}
	return fmt.Errorf("batch %d: unknown phase %s", b.GetBatchNumber(), b.GetPhase())
}

// parallel runs the steps on every node at once; a node whose steps fail
// is failed (unless the executor is shutting down or an operator
// interrupted it: it resumes).
func (x *execution) parallel(ctx context.Context, nodes []*nodestep.Node, steps ...[]nodestep.Step) error {
	var wg sync.WaitGroup
	errs := make([]error, len(nodes))
	for i, n := range nodes {
		wg.Go(func() { errs[i] = x.runNode(ctx, n, steps...) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// runNode runs the steps on one node; a node whose steps fail is failed
// (unless the executor is shutting down or an operator interrupted it:
// it resumes).
func (x *execution) runNode(ctx context.Context, n *nodestep.Node, steps ...[]nodestep.Step) error {
	err := n.Run(ctx, steps...)
	if err != nil && ctx.Err() == nil && !errors.Is(err, errInterrupted) {
		err = errors.Join(err, x.failNode(ctx, n, err))
	}
	if err == nil && n.Phase() == rebalancerv1.NodePhase_NODE_PHASE_FAILED {
		// Failed before a restart: every step is "done", but the
		// batch must still fail so the rollback runs.
		err = fmt.Errorf("node %s failed earlier", n.Old)
	}
	return err
}

// nodesOf is the batch's nodes, their events reported in the batch.
func (x *execution) nodesOf(b *rebalancerv1.NodeBatch) []*nodestep.Node {
	nodes := make([]*nodestep.Node, len(b.GetNodes()))
	for i, c := range b.GetNodes() {
		nodes[i] = x.steps.Node(c, b.GetBatchNumber())
	}
	return nodes
}
