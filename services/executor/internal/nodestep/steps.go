package nodestep

import (
	"context"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Step is one idempotent move of a node's state machine. Done reports
// whether the stored state shows it already happened, so a resumed node
// skips it; Run carries it out, persisting before and after its side
// effect.
type Step struct {
	Name string
	Done func(n *Node) bool
	Run  func(ctx context.Context, n *Node) error
}

// The steps, in the order a node takes them, in the lists the engine's
// batches run. A REPLACE batch runs MakeSteps for all its nodes, then
// CordonSteps, DrainSteps and TerminateSteps (make before break for the
// whole batch). Blue-green runs MakeSteps in its PROVISION batches; its
// first DRAIN batch cordons every blue node at once (Runner.CordonBlue),
// then each DRAIN batch runs DrainSteps and each TERMINATE batch
// TerminateSteps.
var (
	MakeSteps = []Step{
		{"provision", reached(rebalancerv1.NodePhase_NODE_PHASE_JOINING), provision},
		{"join", reached(rebalancerv1.NodePhase_NODE_PHASE_READY), join},
		// Issue 19: price what joined before any old node is touched (savings.go).
		{"savings", reached(rebalancerv1.NodePhase_NODE_PHASE_CORDONED), checkSavings},
	}
	CordonSteps = []Step{
		{"cordon", reached(rebalancerv1.NodePhase_NODE_PHASE_CORDONED), cordon},
	}
	DrainSteps = []Step{
		{"drain", reached(rebalancerv1.NodePhase_NODE_PHASE_DRAINED), drain},
		{"verify", verified, verify},
	}
	TerminateSteps = []Step{
		{"terminate", reached(rebalancerv1.NodePhase_NODE_PHASE_DONE), terminate},
	}
)

// reached is done once the node is at phase or beyond (FAILED and
// ROLLED_BACK are beyond every phase: a finished node runs no step).
func reached(phase rebalancerv1.NodePhase) func(n *Node) bool {
	return func(n *Node) bool { return n.Phase() >= phase }
}

// Run runs the steps of lists not done yet, in order, stopping at the
// first error. A step starts only while the execution says it may
// proceed: under a live lease, with no pause or cancel asked, so a node
// stops between two steps, never within one.
func (n *Node) Run(ctx context.Context, lists ...[]Step) error {
	for _, list := range lists {
		for _, s := range list {
			if s.Done(n) {
				continue
			}
			if err := n.r.x.Proceed(); err != nil {
				return err
			}
			if err := s.Run(ctx, n); err != nil {
				return err
			}
		}
	}
	return nil
}
