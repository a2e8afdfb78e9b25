package engine

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// cordon marks every old node (once), checks the capacity floor against
// the live group, then cordons this old node and takes it out of external
// load balancers.
func cordon(ctx context.Context, n *nodeRun) error {
	if err := n.x.markOldNodes(ctx); err != nil {
		return err
	}
	return n.x.cordonNodes(ctx, []*nodeRun{n})
}

// cordonNodes cordons several old nodes at once (blue-green cordons all
// blue nodes together) after one floor check covering all of them.
func (x *execution) cordonNodes(ctx context.Context, runs []*nodeRun) error {
	x.cordonMu.Lock()
	defer x.cordonMu.Unlock()
	var todo []*nodeRun
	for _, n := range runs {
		if n.phase() < rebalancerv1.NodePhase_NODE_PHASE_CORDONED {
			todo = append(todo, n)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if err := x.waitFloor(ctx, todo); err != nil {
		return err
	}
	empty := ""
	for _, n := range todo {
		if err := x.setCordon(ctx, n.old, true, map[string]*string{LabelExcludeFromLB: &empty}); err != nil {
			return err
		}
		if err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_CORDONED, nil); err != nil {
			return err
		}
		if err := x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED, n.old, n.batch, nil,
			"Cordoned %s, tainted %s and excluded it from external load balancers", n.old, TaintReplacing); err != nil {
			return err
		}
	}
	return nil
}

// waitFloor waits until cordoning todo keeps the group's live count of
// Ready, schedulable nodes at or above the plan's floor, for at most the
// provision timeout (a replacement still joining may bring it back); then
// it refuses.
func (x *execution) waitFloor(ctx context.Context, todo []*nodeRun) error {
	p := x.plan()
	floor := int(p.GetMinHealthyNodes())
	deadline := x.now().Add(p.GetPolicy().GetProvisionTimeout().AsDuration())
	for {
		nodes, err := x.groupNodes(ctx)
		if err != nil {
			return err
		}
		count, cordoning := 0, 0
		for i := range nodes {
			if serving(&nodes[i]) {
				count++
				if isAmong(nodes[i].Name, todo) {
					cordoning++
				}
			}
		}
		if count-cordoning >= floor {
			return nil
		}
		if !x.now().Before(deadline) {
			return failure(rebalancerv1.NodePhase_NODE_PHASE_READY,
				"cordoning %d node(s) would leave %d Ready, schedulable nodes, below the floor of %d", cordoning, count-cordoning, floor)
		}
		if err := x.sleep(ctx, x.deps.Pace.Poll); err != nil {
			return err
		}
	}
}

func isAmong(name string, runs []*nodeRun) bool {
	for _, n := range runs {
		if n.old == name {
			return true
		}
	}
	return false
}

// sleep waits d on the engine's clock, or until ctx ends.
func (x *execution) sleep(ctx context.Context, d time.Duration) error {
	t := x.deps.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	}
}

// snapshot is a copy of the public state.
func (x *execution) snapshot() *rebalancerv1.ExecutionState {
	var s *rebalancerv1.ExecutionState
	x.view(func(r *store.Record) { s = proto.CloneOf(r.State) })
	return s
}
