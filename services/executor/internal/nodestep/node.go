package nodestep

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
	"k8s.io/apimachinery/pkg/util/cache"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Runner carries out the steps of one execution's nodes: each node's own,
// and the parts of cordoning all of them share.
type Runner struct {
	env Env
	x   Execution
	// taintMu makes the tainting of every old node, before the first
	// cordon, happen once.
	taintMu sync.Mutex
	// cordonMu serialises capacity-floor checks with the cordons they
	// allow, so two nodes never both pass a check only one of them fits.
	cordonMu sync.Mutex
	// cordoned are the old nodes this Runner cordoned (cordonMu): the floor
	// check counts them cordoned before the node informer shows it.
	cordoned map[string]bool
	// oldNames are the plan's old nodes (isOldNode).
	oldNames     map[string]bool
	oldNamesOnce sync.Once
	// addMu serialises the managed adds of the execution's lanes, from the
	// listing before the add to the one after it, so each add's node can
	// be told apart (attribution.go).
	addMu sync.Mutex
	// kubeSizes caches the managed cluster's sizes and groups (addMu).
	kubeSizes kubeSizes
	// bought are the managed nodes the adds bought, by identifier.
	bought boughtNodes
	// templates caches the user-data templates (userdata.go).
	templates     *cache.LRUExpireCache
	templatesOnce sync.Once
	// offerings caches the offerings the replacements are created with.
	offeringCache offeringCache
	// unsent are the create intents this Runner wrote and sent nothing for.
	unsent unsentCreates
	// prices are the savings checks' price list, made at the first.
	prices     *PriceList
	pricesOnce sync.Once
}

// NewRunner returns the runner of x's nodes, acting on env.
func NewRunner(env Env, x Execution) *Runner { return &Runner{env: env, x: x} }

// Node is the replacement of candidate c, its events reported in batch.
func (r *Runner) Node(c *rebalancerv1.CandidateNode, batch int32) *Node {
	return &Node{r: r, Old: c.GetNodeName(), Batch: batch, candidate: c}
}

// Nodes is every old node of the plan, once, its events reported in batch.
func (r *Runner) Nodes(batch int32) []*Node {
	var out []*Node
	seen := map[string]bool{}
	for _, b := range r.x.Plan().GetBatches() {
		for _, c := range b.GetNodes() {
			if !seen[c.GetNodeName()] {
				seen[c.GetNodeName()] = true
				out = append(out, r.Node(c, batch))
			}
		}
	}
	return out
}

// nodeOf is old's replacement, nil for a node the plan does not replace.
func (r *Runner) nodeOf(old string) *Node {
	for _, n := range r.Nodes(0) {
		if n.Old == old {
			return n
		}
	}
	return nil
}

func (r *Runner) now() time.Time { return r.env.Clock.Now() }

func (r *Runner) emitf(ctx context.Context, kind rebalancerv1.EventKind, node string, batch int32,
	details map[string]string, format string, args ...any) error {
	return r.x.Emit(ctx, Event{Kind: kind, Node: node, Batch: batch, Message: fmt.Sprintf(format, args...), Details: details})
}

// Node is one old node's replacement within an execution: what every
// step works on.
type Node struct {
	r *Runner
	// Old names the old node; Batch is the batch its events are reported in.
	Old   string
	Batch int32
	// Lane is the engine's lane that runs the node ("" outside lanes),
	// reported in details["lane"] of its events so a reader can tell the
	// lanes apart (the benchmark's critical path is the longest lane).
	Lane      string
	candidate *rebalancerv1.CandidateNode
}

// Phase is how far the replacement got, as stored.
func (n *Node) Phase() rebalancerv1.NodePhase {
	ne, _ := n.state()
	return ne.GetPhase()
}

// state returns a copy of the node's public state and bookkeeping.
func (n *Node) state() (*rebalancerv1.NodeExecution, store.NodeBook) { return n.r.x.Node(n.Old) }

// set changes the node's state and bookkeeping and persists them.
func (n *Node) set(ctx context.Context, fn func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook)) error {
	return n.r.x.UpdateNode(ctx, n.Old, fn)
}

// enter moves the node to phase, stamping when the phase began.
func (n *Node) enter(ctx context.Context, phase rebalancerv1.NodePhase, fn func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook)) error {
	now := n.r.now()
	intent := ""
	err := n.set(ctx, func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		before, attempts := ne.GetPhase(), nb.ProvisionAttempts
		ne.Phase, ne.PhaseStartedAt = phase, timestamppb.New(now)
		if fn != nil {
			fn(ne, nb)
		}
		intent = newIntent(before, attempts, ne, nb) // of the write that is stored, should it run again
	})
	if err == nil && intent != "" {
		n.r.unsent.wrote(intent)
	}
	return err
}

// emitf emits an event about this node.
func (n *Node) emitf(ctx context.Context, kind rebalancerv1.EventKind, details map[string]string, format string, args ...any) error {
	return n.r.emitf(ctx, kind, n.Old, n.Batch, n.withLane(details), format, args...)
}

// withLane is details with the node's lane added, when it runs in one;
// the caller's map is not changed.
func (n *Node) withLane(details map[string]string) map[string]string {
	if n.Lane == "" {
		return details
	}
	out := make(map[string]string, len(details)+1)
	maps.Copy(out, details)
	out["lane"] = n.Lane
	return out
}
