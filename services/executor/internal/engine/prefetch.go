package engine

import (
	"context"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
)

// prefetch is a lane's next node whose replacement is being made while
// the lane's current old node drains.
type prefetch struct {
	done chan struct{}
	err  error
}

// wait returns once the replacement is Ready (nil) or could not be made.
func (p *prefetch) wait() error {
	<-p.done
	return p.err
}

// prefetch starts making slot's replacement now, when it may start
// without waiting (the batches it awaits are done, nothing stopped the
// lanes) and a surge slot is free at once; else nil, and the lane admits
// the node in turn. Only the make steps run early: the node is cordoned
// after the lane's current node is gone.
func (s *laneRun) prefetch(ctx context.Context, slot laneSlot, n *nodestep.Node) *prefetch {
	if s.stopping() || !s.awaitedDone(slot) || n.Phase() >= rebalancerv1.NodePhase_NODE_PHASE_READY {
		return nil
	}
	if !s.surge.TryAcquire(1) {
		return nil
	}
	p := &prefetch{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		if p.err = s.openBatch(ctx, slot.Batch); p.err != nil {
			return
		}
		p.err = s.x.runNode(ctx, n, nodestep.MakeSteps)
	}()
	return p
}

// awaitedDone reports whether every batch slot awaits whole is done and
// soaked.
func (s *laneRun) awaitedDone(slot laneSlot) bool {
	for _, dep := range slot.Whole {
		select {
		case <-s.done[dep-1]:
		default:
			return false
		}
		if s.batches[dep-1].GetSoakTime().AsDuration() > 0 {
			return false // the soak is waited out by admit
		}
	}
	return true
}
