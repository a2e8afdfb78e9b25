package engine

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// stepView is the execution as its node steps see it: the plan, each old
// node's state and bookkeeping, the events, and whether a step may start.
// Every change goes through the execution's record, under its lease.
type stepView struct{ x *execution }

var _ nodestep.Execution = stepView{}

func (v stepView) ID() string { return v.x.id() }

func (v stepView) Plan() *rebalancerv1.RebalancePlan { return v.x.plan() }

func (v stepView) GroupSpec() nodestep.GroupSpec {
	var g nodestep.GroupSpec
	v.x.view(func(r *store.Record) {
		g = nodestep.GroupSpec{Datacenter: r.Book.Datacenter, Labels: r.Book.GroupLabels, Taints: r.Book.GroupTaints,
			Provisioning: r.Book.Provisioning}
	})
	return g
}

func (v stepView) Node(old string) (*rebalancerv1.NodeExecution, store.NodeBook) {
	var ne *rebalancerv1.NodeExecution
	var nb store.NodeBook
	v.x.view(func(r *store.Record) {
		ne = proto.CloneOf(nodeOf(r, old))
		if b := r.Book.Nodes[old]; b != nil {
			nb = *b
		}
	})
	return ne, nb
}

func (v stepView) UpdateNode(ctx context.Context, old string, fn func(*rebalancerv1.NodeExecution, *store.NodeBook)) error {
	return v.x.update(ctx, func(r *store.Record) { fn(nodeOf(r, old), r.Book.NodeBook(old)) })
}

func (v stepView) OldNodesTainted() bool {
	var tainted bool
	v.x.view(func(r *store.Record) { tainted = r.Book.OldNodesTainted })
	return tainted
}

func (v stepView) RecordOldNodesTainted(ctx context.Context) error {
	return v.x.update(ctx, func(r *store.Record) { r.Book.OldNodesTainted = true })
}

func (v stepView) Emit(ctx context.Context, e nodestep.Event) error { return v.x.emit(ctx, e) }

func (v stepView) EmitOnce(ctx context.Context, e nodestep.Event, old string, fact func(*store.NodeBook)) error {
	return v.x.emitOnce(ctx, e, func(r *store.Record) { fact(r.Book.NodeBook(old)) })
}

// Proceed lets a step take its side effect only under a live lease, and
// starts none once an operator asked to pause or cancel.
func (v stepView) Proceed() error {
	if err := v.x.holdsLease(); err != nil {
		return err
	}
	if v.x.interruptRequested() {
		return errInterrupted
	}
	return nil
}

// nodeOf is old's state in r; old is always one of the plan's nodes.
func nodeOf(r *store.Record, old string) *rebalancerv1.NodeExecution {
	for _, ne := range r.State.GetNodes() {
		if ne.GetOldNode() == old {
			return ne
		}
	}
	panic(fmt.Sprintf("engine: node %q is not in the execution", old))
}
