package planner

import (
	"container/heap"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/lanes"
)

// The Executor runs a plan of REPLACE batches in lanes (libs/lanes lays
// them out for both; its engine/lanes.go runs them): the i-th node of a
// batch follows the i-th node of the batch it depends on in the same
// lane, starting when that one node is done; a dependency on a single-node batch (the canary), on a batch that
// soaks, or on one without an i-th node is awaited whole. A node holds a
// surge slot (the plan's max_surge) from its admission until its old node
// is gone; while a node drains, its lane orders the next node's
// replacement at once if a slot is free, so with max_surge above the
// lanes the next provision overlaps the current drain.

// laneSlot is one node's place in a lane, laid out as the Executor lays
// it out.
type laneSlot = lanes.Slot

// laneWalk replays the lanes on a clock of events.
type laneWalk struct {
	batches []*rebalancerv1.NodeBatch
	lanes   [][]laneSlot
	c       stepCosts
	events  eventQueue
	now     time.Duration
	// free surge slots, and the admissions waiting for one, first come
	// first served (a semaphore.Weighted).
	free    int
	waiting []func()
	// left counts each batch's nodes not done; done marks completed
	// batches, and onDone holds what waits for each whole.
	left   []int
	done   []bool
	onDone [][]func()
	// ahead is the time each lane's next replacement is Ready when it was
	// ordered ahead, while the lane's current node drained; -1 when not.
	ahead []time.Duration
}

// walkLanes is how long the lanes take.
func walkLanes(batches []*rebalancerv1.NodeBatch, maxSurge int, c stepCosts) time.Duration {
	w := &laneWalk{batches: batches, lanes: lanes.Layout(batches), c: c, free: max(maxSurge, 1),
		left: make([]int, len(batches)), done: make([]bool, len(batches)), onDone: make([][]func(), len(batches))}
	for i, b := range batches {
		w.left[i] = len(b.GetNodes())
	}
	w.ahead = make([]time.Duration, len(w.lanes))
	for l := range w.lanes {
		w.ahead[l] = -1
		w.at(0, func() { w.admit(l, 0) })
	}
	for w.events.Len() > 0 {
		e := heap.Pop(&w.events).(event)
		w.now = e.at
		e.do()
	}
	return w.now
}

// admit starts lane l's k-th node once the batches it awaits are done and
// a surge slot is free.
func (w *laneWalk) admit(l, k int) {
	for _, dep := range w.lanes[l][k].Whole {
		if !w.done[dep-1] {
			w.onDone[dep-1] = append(w.onDone[dep-1], func() { w.admit(l, k) })
			return
		}
	}
	start := func() { w.at(w.now+w.c.provision, func() { w.turn(l, k) }) }
	if w.free > 0 && len(w.waiting) == 0 {
		w.free--
		start()
		return
	}
	w.waiting = append(w.waiting, start)
}

// turn is lane l's k-th node with its replacement Ready and the lane's
// previous node gone: it is cordoned and drained, soaks if its batch
// does, and is terminated; meanwhile the lane orders its next
// replacement ahead when it may.
func (w *laneWalk) turn(l, k int) {
	slot := w.lanes[l][k]
	if k+1 < len(w.lanes[l]) && w.awaitedDone(w.lanes[l][k+1]) && w.free > 0 && len(w.waiting) == 0 {
		w.free--
		w.ahead[l] = w.now + w.c.provision
	}
	b := w.batches[slot.Batch]
	w.at(w.now+w.c.drain+b.GetSoakTime().AsDuration()+w.c.terminate, func() { w.finish(l, k) })
}

// finish is lane l's k-th old node gone: its surge slot is free, its batch
// one node closer to done, and the lane goes on.
func (w *laneWalk) finish(l, k int) {
	w.free++
	for w.free > 0 && len(w.waiting) > 0 {
		w.free--
		next := w.waiting[0]
		w.waiting = w.waiting[1:]
		next()
	}
	b := w.lanes[l][k].Batch
	if w.left[b]--; w.left[b] == 0 {
		w.done[b] = true
		waiters := w.onDone[b]
		w.onDone[b] = nil
		for _, f := range waiters {
			f()
		}
	}
	if k+1 >= len(w.lanes[l]) {
		return
	}
	if ready := w.ahead[l]; ready >= 0 {
		w.ahead[l] = -1
		w.at(max(w.now, ready), func() { w.turn(l, k+1) })
		return
	}
	w.admit(l, k+1)
}

// awaitedDone reports whether slot may be ordered ahead: every batch it
// awaits whole is done and does not soak (a soak is waited out in turn).
func (w *laneWalk) awaitedDone(slot laneSlot) bool {
	for _, dep := range slot.Whole {
		if !w.done[dep-1] || w.batches[dep-1].GetSoakTime().AsDuration() > 0 {
			return false
		}
	}
	return true
}

func (w *laneWalk) at(t time.Duration, do func()) {
	heap.Push(&w.events, event{at: t, seq: w.events.next, do: do})
	w.events.next++
}

// event is something the walk does at a time; events at the same time run
// in the order they were scheduled.
type event struct {
	at  time.Duration
	seq int
	do  func()
}

type eventQueue struct {
	items []event
	next  int
}

func (q *eventQueue) Len() int { return len(q.items) }
func (q *eventQueue) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	return a.at < b.at || a.at == b.at && a.seq < b.seq
}
func (q *eventQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *eventQueue) Push(x any)    { q.items = append(q.items, x.(event)) }
func (q *eventQueue) Pop() any {
	last := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return last
}
