package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// nodeRun is one old node's replacement within an execution.
type nodeRun struct {
	x         *execution
	old       string
	batch     int32
	candidate *rebalancerv1.CandidateNode
}

// state returns a copy of the node's public state and bookkeeping.
func (n *nodeRun) state() (*rebalancerv1.NodeExecution, store.NodeBook) {
	var ne *rebalancerv1.NodeExecution
	var nb store.NodeBook
	n.x.view(func(r *store.Record) {
		ne = proto.CloneOf(nodeOf(r, n.old))
		if b := r.Book.Nodes[n.old]; b != nil {
			nb = *b
		}
	})
	return ne, nb
}

func (n *nodeRun) phase() rebalancerv1.NodePhase {
	ne, _ := n.state()
	return ne.GetPhase()
}

// set changes the node's state and bookkeeping and persists them.
func (n *nodeRun) set(ctx context.Context, fn func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook)) error {
	return n.x.update(ctx, func(r *store.Record) {
		fn(nodeOf(r, n.old), r.Book.NodeBook(n.old))
	})
}

// enter moves the node to phase, stamping when the phase began.
func (n *nodeRun) enter(ctx context.Context, phase rebalancerv1.NodePhase, fn func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook)) error {
	now := n.x.now()
	return n.set(ctx, func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		ne.Phase, ne.PhaseStartedAt = phase, timestamppb.New(now)
		if fn != nil {
			fn(ne, nb)
		}
	})
}

func nodeOf(r *store.Record, old string) *rebalancerv1.NodeExecution {
	for _, ne := range r.State.GetNodes() {
		if ne.GetOldNode() == old {
			return ne
		}
	}
	panic(fmt.Sprintf("engine: node %q is not in the execution", old))
}

// nodeError is a node's replacement failing, with what blocked it.
type nodeError struct {
	phase   rebalancerv1.NodePhase
	message string
	pods    []string
	pdbs    []string
}

func (e *nodeError) Error() string {
	msg := e.message
	if len(e.pods) > 0 {
		msg += "; pods: " + strings.Join(e.pods, ", ")
	}
	if len(e.pdbs) > 0 {
		msg += "; PDBs: " + strings.Join(e.pdbs, ", ")
	}
	return msg
}

func failure(phase rebalancerv1.NodePhase, format string, args ...any) *nodeError {
	return &nodeError{phase: phase, message: fmt.Sprintf(format, args...)}
}

// fail records err as the node's failure, marks it FAILED and says so.
func (n *nodeRun) fail(ctx context.Context, err error) error {
	ne, _ := n.state()
	f := &rebalancerv1.NodeFailure{NodeName: n.old, Phase: ne.GetPhase(), Message: err.Error(), FailedAt: timestamppb.New(n.x.now())}
	var nerr *nodeError
	if errors.As(err, &nerr) {
		f.Phase, f.Message, f.BlockingPods, f.BlockingPdbs = nerr.phase, nerr.message, nerr.pods, nerr.pdbs
	}
	uerr := n.x.update(ctx, func(r *store.Record) {
		nodeOf(r, n.old).Phase = rebalancerv1.NodePhase_NODE_PHASE_FAILED
		r.State.FailedNodes = append(r.State.FailedNodes, f)
		r.State.Errors = append(r.State.Errors, n.old+": "+f.GetMessage())
	})
	p := n.x.plan()
	n.x.deps.Metrics.NodesFailed.WithLabelValues(p.GetNamespace(), p.GetNodeGroup()).Inc()
	return errors.Join(uerr, n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED, n.old, n.batch,
		map[string]string{"phase": f.GetPhase().String(), "pods": strings.Join(f.GetBlockingPods(), ","), "pdbs": strings.Join(f.GetBlockingPdbs(), ",")},
		"Replacing %s failed while %s: %s", n.old, phaseWord(f.GetPhase()), err))
}

func phaseWord(p rebalancerv1.NodePhase) string {
	return strings.ToLower(strings.TrimPrefix(p.String(), "NODE_PHASE_"))
}
