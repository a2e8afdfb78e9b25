package engine

import (
	"context"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// step is one idempotent move of a node's state machine. done reports
// whether the stored state shows it already happened, so a resumed node
// skips it; run carries it out, persisting before and after its side effect.
type step struct {
	name string
	done func(n *nodeRun) bool
	run  func(ctx context.Context, n *nodeRun) error
}

// reached is done once the node is at phase or beyond (FAILED and
// ROLLED_BACK are beyond every phase: a finished node runs no step).
func reached(phase rebalancerv1.NodePhase) func(n *nodeRun) bool {
	return func(n *nodeRun) bool { return n.phase() >= phase }
}

// The steps, in the order a node takes them. A REPLACE batch runs
// makeSteps for all its nodes, then breakSteps and terminateSteps; blue-green
// runs each list in its own phase of batches.
var (
	makeSteps = []step{
		{"provision", reached(rebalancerv1.NodePhase_NODE_PHASE_JOINING), provision},
		{"join", reached(rebalancerv1.NodePhase_NODE_PHASE_READY), join},
	}
	cordonSteps = []step{
		{"cordon", reached(rebalancerv1.NodePhase_NODE_PHASE_CORDONED), cordon},
	}
	drainSteps = []step{
		{"drain", reached(rebalancerv1.NodePhase_NODE_PHASE_DRAINED), drain},
		{"verify", verified, verify},
	}
	terminateSteps = []step{
		{"terminate", reached(rebalancerv1.NodePhase_NODE_PHASE_DONE), terminate},
	}
)

// runSteps runs the steps not done yet, in order, stopping at the first error.
func runSteps(ctx context.Context, n *nodeRun, steps ...[]step) error {
	for _, list := range steps {
		for _, s := range list {
			if s.done(n) {
				continue
			}
			// A step's side effect is taken only under a live lease, and
			// none starts once an operator asked to pause or cancel.
			if err := n.x.holdsLease(); err != nil {
				return err
			}
			if n.x.interruptRequested() {
				return errInterrupted
			}
			if err := s.run(ctx, n); err != nil {
				return err
			}
		}
	}
	return nil
}
