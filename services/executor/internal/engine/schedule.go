package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/sync/semaphore"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// errStopped: a batch did not start because an earlier one failed.
var errStopped = errors.New("stopped after a failed batch")

// runBatches starts the batches in batch_number order, each once every
// batch it depends on completed and soaked, with at most the plan's
// max_concurrent nodes in running batches. The first failure stops new
// batches from starting; running ones finish or fail.
func (x *execution) runBatches(ctx context.Context) error {
	p := x.plan()
	batches := p.GetBatches()
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
	return errors.Join(errs...)
}

// awaitDependencies waits for b's dependencies to complete and soak.
func (x *execution) awaitDependencies(ctx context.Context, b *rebalancerv1.NodeBatch, done []chan struct{}, stop chan struct{}) error {
	batches := x.plan().GetBatches()
	for _, dep := range b.GetDependsOn() {
		select {
		case <-done[dep-1]:
		case <-stop:
			return errStopped
		case <-ctx.Done():
			return ctx.Err()
		}
		var doneAt = x.now()
		x.view(func(r *store.Record) { doneAt = r.Book.BatchDoneAt[dep] })
		if soak := batches[dep-1].GetSoakTime().AsDuration(); soak > 0 {
			if err := x.sleep(ctx, doneAt.Add(soak).Sub(x.now())); err != nil {
				return err
			}
		}
	}
	select {
	case <-stop:
		return errStopped
	default:
		return nil
	}
}

// runBatch runs one batch to its end, reporting its start and outcome
// once per execution, however often it is resumed.
func (x *execution) runBatch(ctx context.Context, b *rebalancerv1.NodeBatch) error {
	number := b.GetBatchNumber()
	var already bool
	x.view(func(r *store.Record) { already = r.Book.BatchDone(number) })
	if already {
		return nil // completed before a restart; its BATCH_COMPLETED went with the mark
	}
	if x.interruptRequested() {
		return errInterrupted
	}
	if err := x.startBatch(ctx, b); err != nil {
		return err
	}
	if err := x.batchWork(ctx, b); err != nil {
		if ctx.Err() == nil && !errors.Is(err, errInterrupted) {
			err = errors.Join(err, x.failBatch(ctx, number, err))
		}
		return err
	}
	return x.completeBatch(ctx, number)
}

// startBatch says the batch started, unless an earlier run of this
// execution (before a pause or a takeover) already did: the mark is
// written with the event (see emitMarked), so a mark means the event is
// out or is the record's last event, republished at takeover.
func (x *execution) startBatch(ctx context.Context, b *rebalancerv1.NodeBatch) error {
	number := b.GetBatchNumber()
	p := x.plan()
	x.deps.Metrics.CurrentBatch.WithLabelValues(p.GetNamespace(), p.GetNodeGroup()).Set(float64(number))
	var started bool
	x.view(func(r *store.Record) { started = r.Book.BatchStarted(number) })
	if started {
		return nil
	}
	now := x.now()
	e := event{kind: rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED, batch: number,
		details: map[string]string{"phase": b.GetPhase().String()},
		message: fmt.Sprintf("Batch %d (%s) of %d nodes started", number, phaseName(b.GetPhase()), len(b.GetNodes()))}
	return x.emitMarked(ctx, e, func(r *store.Record) {
		r.State.CurrentBatch = max(r.State.CurrentBatch, number)
		r.Book.MarkBatchStarted(number, now)
	})
}

// completeBatch records the batch's completion (from which its dependents'
// soak time counts) with its BATCH_COMPLETED event, in one write: a resume
// skips a batch so marked, and must not lose the event by doing so.
func (x *execution) completeBatch(ctx context.Context, number int32) error {
	now := x.now()
	e := event{kind: rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED, batch: number,
		message: fmt.Sprintf("Batch %d completed", number)}
	if err := x.emitMarked(ctx, e, func(r *store.Record) { r.Book.MarkBatchDone(number, now) }); err != nil {
		return err
	}
	x.setProgressMetric()
	return nil
}

// failBatch says the batch failed, once per execution: a run resumed
// after its owner died between the failure and its outcome fails the batch
// again, and the rollback handler must not see a second failure.
func (x *execution) failBatch(ctx context.Context, number int32, cause error) error {
	var said bool
	x.view(func(r *store.Record) { said = r.Book.BatchFailed(number) })
	if said {
		return nil
	}
	now := x.now()
	e := event{kind: rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED, batch: number,
		message: fmt.Sprintf("Batch %d failed: %v", number, cause)}
	return x.emitMarked(ctx, e, func(r *store.Record) { r.Book.MarkBatchFailed(number, now) })
}

// batchWork is what each kind of batch does to its nodes. A REPLACE batch
// makes every replacement Ready before it breaks any old node (make before
// break for the whole batch: a surge batch's replacements all exist first).
func (x *execution) batchWork(ctx context.Context, b *rebalancerv1.NodeBatch) error {
	runs := x.runsOf(b.GetNodes(), b.GetBatchNumber())
	switch b.GetPhase() {
	case rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE:
		if err := x.parallel(ctx, runs, makeSteps); err != nil {
			return err
		}
		return x.parallel(ctx, runs, cordonSteps, drainSteps, terminateSteps)
	case rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION:
		return x.parallel(ctx, runs, makeSteps)
	case rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN:
		if err := x.cordonBlue(ctx, b.GetBatchNumber()); err != nil {
			return err
		}
		return x.parallel(ctx, runs, drainSteps)
	case rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE:
		return x.parallel(ctx, runs, terminateSteps)
	}
	return fmt.Errorf("batch %d: unknown phase %s", b.GetBatchNumber(), b.GetPhase())
}

// parallel runs the steps on every node at once; a node whose steps fail
// is marked failed (unless the executor is shutting down: it resumes).
func (x *execution) parallel(ctx context.Context, runs []*nodeRun, steps ...[]step) error {
	var wg sync.WaitGroup
	errs := make([]error, len(runs))
	for i, n := range runs {
		wg.Go(func() {
			err := runSteps(ctx, n, steps...)
			if err != nil && ctx.Err() == nil && !errors.Is(err, errInterrupted) {
				err = errors.Join(err, n.fail(ctx, err))
			}
			if err == nil && n.phase() == rebalancerv1.NodePhase_NODE_PHASE_FAILED {
				// Failed before a restart: every step is "done", but the
				// batch must still fail so the rollback runs.
				err = fmt.Errorf("node %s failed earlier", n.old)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// cordonBlue cordons every blue node when the first drain batch starts,
// once the whole green set is Ready (make before break for blue-green).
func (x *execution) cordonBlue(ctx context.Context, batch int32) error {
	all := x.allRuns(batch)
	for _, n := range all {
		if n.phase() < rebalancerv1.NodePhase_NODE_PHASE_READY {
			return failure(rebalancerv1.NodePhase_NODE_PHASE_READY, "green replacement of %s is not Ready: blue nodes are cordoned only after the whole green set", n.old)
		}
	}
	if err := x.markOldNodes(ctx); err != nil {
		return err
	}
	return x.cordonNodes(ctx, all)
}

func (x *execution) runsOf(nodes []*rebalancerv1.CandidateNode, batch int32) []*nodeRun {
	runs := make([]*nodeRun, len(nodes))
	for i, c := range nodes {
		runs[i] = &nodeRun{x: x, old: c.GetNodeName(), batch: batch, candidate: c}
	}
	return runs
}

// allRuns is every node of the plan, once.
func (x *execution) allRuns(batch int32) []*nodeRun {
	var out []*nodeRun
	seen := map[string]bool{}
	for _, b := range x.plan().GetBatches() {
		for _, c := range b.GetNodes() {
			if !seen[c.GetNodeName()] {
				seen[c.GetNodeName()] = true
				out = append(out, &nodeRun{x: x, old: c.GetNodeName(), batch: batch, candidate: c})
			}
		}
	}
	return out
}

func (x *execution) setProgressMetric() {
	p := x.plan()
	x.deps.Metrics.Progress.WithLabelValues(p.GetNamespace(), p.GetNodeGroup()).Set(float64(x.snapshot().GetProgressPercent()))
}

func phaseName(p rebalancerv1.BatchPhase) string {
	return strings.ToLower(strings.TrimPrefix(p.String(), "BATCH_PHASE_"))
}
