package nodestep

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Execution is the execution a node belongs to, as its steps see it; the
// engine implements it over the execution's record. It is used from the
// steps of several nodes at once (a batch runs its nodes together).
type Execution interface {
	// ID names the execution in the note on the nodes it taints.
	ID() string
	// Plan is the accepted plan; it never changes and is not to be changed.
	Plan() *rebalancerv1.RebalancePlan
	// GroupSpec is what replacements are created with.
	GroupSpec() GroupSpec
	// LivePolicy is the NodeGroup's rebalancing policy as it is now,
	// defaults applied, for the decisions a step takes on the group's
	// word beside the plan's (the offerings a replacement may run, whether
	// a drain may delete pods past their budgets). An error means it
	// could not be read, or the group is not the plan's any more; the step
	// then takes the stricter way.
	LivePolicy(ctx context.Context) (*rebalancerv1.RebalancePolicy, error)
	Ledger
	Events
	// Proceed is asked before every step: nil while steps may take their
	// side effects, else why they must stop (the lease is lost, or an
	// operator asked to pause or cancel).
	Proceed() error
}

// Ledger is the stored state and bookkeeping of the old nodes. Every
// change is persisted before it returns; an error means it was not (the
// lease was lost, the store unreachable) and the step must stop.
type Ledger interface {
	// Node returns a copy of an old node's public state and bookkeeping.
	Node(old string) (*rebalancerv1.NodeExecution, store.NodeBook)
	// UpdateNode applies fn to an old node's state and bookkeeping.
	UpdateNode(ctx context.Context, old string, fn func(*rebalancerv1.NodeExecution, *store.NodeBook)) error
	// OldNodesTainted reports whether every old node was tainted, which
	// happens once per execution.
	OldNodesTainted() bool
	// RecordOldNodesTainted records that every old node was tainted.
	RecordOldNodesTainted(ctx context.Context) error
}

// Events are the execution's progress events, one sequence for all its
// nodes.
type Events interface {
	// Emit persists the event's sequence number, then publishes it.
	Emit(ctx context.Context, e Event) error
	// EmitOnce is Emit for an event that must go out once per execution:
	// fact, the change to old's bookkeeping saying the event's fact
	// happened, is persisted in the same write as the event, so a resumed
	// step that finds the fact knows the event is out, or will be
	// republished as the record's last event.
	EmitOnce(ctx context.Context, e Event, old string, fact func(*store.NodeBook)) error
}

// Event is one progress event of an execution.
type Event struct {
	Kind    rebalancerv1.EventKind
	Node    string // the old node it is about, "" for the execution
	Batch   int32  // the batch it is about, 0 for none
	Message string
	Details map[string]string
}

// GroupSpec is what the node group's replacements are created with, read
// from the NodeGroup when the plan was accepted, so a resumed execution
// provisions alike.
type GroupSpec struct {
	Datacenter   string
	Labels       map[string]string
	Taints       []corev1.Taint
	Provisioning v1alpha1.Provisioning
}

// Managed reports the managed mode: nodes come from VPSie Managed
// Kubernetes groups, not plain VMs. An unset mode is the CRD's default.
func (g GroupSpec) Managed() bool { return g.Provisioning.Mode != v1alpha1.ProvisioningVM }
