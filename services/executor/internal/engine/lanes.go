package engine

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"golang.org/x/sync/semaphore"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
)

// laneRun is one run of a plan's lanes (see lanelayout.go). Its first
// failure, or a batch the group's schedule does not let start, stops
// every lane from starting another node; nodes in flight finish or fail,
// as batches do in lock-step.
type laneRun struct {
	x       *execution
	batches []*rebalancerv1.NodeBatch
	state   []*laneBatch
	done    []chan struct{} // closed when batch i completed
	stop    chan struct{}
	stopped sync.Once
	// surge holds a slot per replacement existing beside its old node:
	// the plan's max_surge bounds them at every moment.
	surge *semaphore.Weighted
	mu    sync.Mutex
	errs  []error
}

// laneBatch is one batch's progress within the lanes.
type laneBatch struct {
	open      sync.Once
	already   bool // completed before a restart
	openErr   error
	failOnce  sync.Once
	remaining int
}

// runLanes runs a plan of REPLACE batches in lanes.
func (x *execution) runLanes(ctx context.Context) error {
	p := x.plan()
	s := &laneRun{x: x, batches: p.GetBatches(), stop: make(chan struct{}),
		surge: semaphore.NewWeighted(int64(max(p.GetMaxSurge(), 1)))}
	for _, b := range s.batches {
		s.state = append(s.state, &laneBatch{remaining: len(b.GetNodes())})
		s.done = append(s.done, make(chan struct{}))
	}
	var wg sync.WaitGroup
	for i, lane := range laneLayout(s.batches) {
		wg.Go(func() { s.runLane(ctx, "lane-"+strconv.Itoa(i), lane) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return outcome(s.errs)
}

// runLane runs its nodes one after the other. While one old node drains,
// the lane orders its next node's replacement when a surge slot is free
// (make before break still holds per node: the next one is cordoned only
// after its own replacement is Ready and this one is gone).
func (s *laneRun) runLane(ctx context.Context, lane string, slots []laneSlot) {
	var next *prefetch
	for k, slot := range slots {
		n := s.node(slot, lane)
		if next == nil {
			if err := s.admit(ctx, slot, n); err != nil {
				s.record(ctx, slot, err)
				return
			}
		} else if err := next.wait(); err != nil {
			s.record(ctx, slot, err)
			return
		}
		next = nil
		if err := s.x.runNode(ctx, n, nodestep.MakeSteps, nodestep.CordonSteps); err != nil {
			s.record(ctx, slot, err)
			return
		}
		if k+1 < len(slots) {
			next = s.prefetch(ctx, slots[k+1], s.node(slots[k+1], lane))
		}
		err := s.x.runNode(ctx, n, nodestep.DrainSteps, nodestep.SoakSteps, nodestep.TerminateSteps)
		if err == nil {
			s.surge.Release(1)
			err = s.nodeDone(ctx, slot)
		}
		if err != nil {
			s.record(ctx, slot, err)
			if next != nil {
				s.record(ctx, slots[k+1], next.wait())
			}
			return
		}
	}
}

// node is slot's node, its events reported in its batch and lane.
func (s *laneRun) node(slot laneSlot, lane string) *nodestep.Node {
	n := s.x.steps.Node(slot.Node, s.batches[slot.Batch].GetBatchNumber())
	n.Lane = lane
	return n
}

// admit waits until slot's node may start: the batches it awaits whole
// are done, its batch started (its guards passed), a surge slot is free.
func (s *laneRun) admit(ctx context.Context, slot laneSlot, n *nodestep.Node) error {
	for _, dep := range slot.Whole {
		if err := s.x.awaitBatch(ctx, dep, s.done, s.stop); err != nil {
			return err
		}
	}
	if s.stopping() {
		return errStopped
	}
	if err := s.openBatch(ctx, slot.Batch); err != nil {
		return err
	}
	return s.surge.Acquire(ctx, 1) // released once the old node is gone
}

// openBatch starts slot's batch once, whichever lane reaches it first.
func (s *laneRun) openBatch(ctx context.Context, batch int) error {
	st := s.state[batch]
	st.open.Do(func() { st.already, st.openErr = s.x.openBatch(ctx, s.batches[batch]) })
	return st.openErr
}

// nodeDone counts a node done; the batch's last one completes it.
func (s *laneRun) nodeDone(ctx context.Context, slot laneSlot) error {
	s.mu.Lock()
	st := s.state[slot.Batch]
	st.remaining--
	last := st.remaining == 0
	s.mu.Unlock()
	if !last {
		return nil
	}
	if !st.already {
		if err := s.x.completeBatch(ctx, s.batches[slot.Batch].GetBatchNumber()); err != nil {
			return err
		}
	}
	close(s.done[slot.Batch])
	return nil
}

// record notes why a lane stopped and stops the others. A node's failure
// fails its batch, once; a shutdown, an interrupt or another lane's stop
// does not.
func (s *laneRun) record(ctx context.Context, slot laneSlot, err error) {
	if err == nil || errors.Is(err, errStopped) {
		return
	}
	var w *windowClosed
	if ctx.Err() == nil && !errors.Is(err, errInterrupted) && !errors.As(err, &w) {
		st := s.state[slot.Batch]
		st.failOnce.Do(func() {
			err = errors.Join(err, s.x.failBatch(ctx, s.batches[slot.Batch].GetBatchNumber(), err))
		})
	}
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.mu.Unlock()
	s.stopped.Do(func() { close(s.stop) })
}

func (s *laneRun) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}
