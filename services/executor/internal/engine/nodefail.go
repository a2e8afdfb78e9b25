package engine

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// failNode records err as n's failure, sets the node FAILED and says so.
// A nodestep.Failure names the phase and what blocked it; any other
// error fails the node in the phase it was in.
func (x *execution) failNode(ctx context.Context, n *nodestep.Node, err error) error {
	f := &rebalancerv1.NodeFailure{NodeName: n.Old, Phase: n.Phase(), Message: err.Error(), FailedAt: timestamppb.New(x.now())}
	var nf *nodestep.Failure
	if errors.As(err, &nf) {
		f.Phase, f.Message, f.BlockingPods, f.BlockingPdbs = nf.Phase, nf.Message, nf.Pods, nf.PDBs
	}
	var gate *nodestep.GateFailed
	isGate := errors.As(err, &gate)
	uerr := x.update(ctx, func(r *store.Record) {
		if isGate { // the reason the execution rolls back, for whoever reads its status
			r.State.StatusMessage = "Health gate failed on " + n.Old + ": " + gate.Regression.String()
			r.Book.GateFailed = gate.Regression.String()
		}
		nodeOf(r, n.Old).Phase = rebalancerv1.NodePhase_NODE_PHASE_FAILED
		r.State.FailedNodes = append(r.State.FailedNodes, f)
		r.State.Errors = append(r.State.Errors, n.Old+": "+f.GetMessage())
	})
	return errors.Join(uerr, x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED, n.Old, n.Batch,
		map[string]string{"phase": f.GetPhase().String(), "pods": strings.Join(f.GetBlockingPods(), ","), "pdbs": strings.Join(f.GetBlockingPdbs(), ",")},
		"Replacing %s failed while %s: %s", n.Old, phaseWord(f.GetPhase()), err))
}

func phaseWord(p rebalancerv1.NodePhase) string {
	return strings.ToLower(strings.TrimPrefix(p.String(), "NODE_PHASE_"))
}
