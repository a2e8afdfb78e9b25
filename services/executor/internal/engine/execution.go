package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// execution is one running execution: its last stored record and the one
// lock every change goes through, so writes and events stay in one order.
type execution struct {
	deps *Deps

	mu  sync.Mutex
	rec *store.Record
	// published is the highest sequence this process published (under
	// mu); the next write drops those from the stored outbox.
	published uint64
	// pub is held by the one flush of the outbox at a time (emit.go), so
	// events go out in order; it is taken before mu, never while mu is
	// held, and mu is not held across a publish, so other lanes keep
	// writing while one publishes.
	pub sync.Mutex

	// steps runs the node steps, which see the execution through stepView.
	steps *nodestep.Runner

	// stop ends the execution's context when its lease is lost; nil for
	// an execution this replica does not run (tests, API writes).
	stop context.CancelCauseFunc
}

// newExecution is the execution whose stored record is rec.
func newExecution(deps *Deps, rec *store.Record, stop context.CancelCauseFunc) *execution {
	x := &execution{deps: deps, rec: rec, stop: stop}
	x.steps = nodestep.NewRunner(deps.stepEnv(), stepView{x})
	return x
}

func (x *execution) id() string {
	var id string
	x.view(func(r *store.Record) { id = r.State.GetExecutionId() })
	return id
}

// update applies fn to a copy of the record and stores it over the
// revision last read. A conflict means another writer took the execution
// over: the change is dropped and the error returned.
func (x *execution) update(ctx context.Context, fn func(r *store.Record)) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.updateLocked(ctx, fn)
}

func (x *execution) updateLocked(ctx context.Context, fn func(r *store.Record)) error {
	for {
		if err := x.checkLeaseLocked(); err != nil {
			return err
		}
		next := x.rec.Clone()
		fn(next)
		derive(next)
		x.trimOutboxLocked(next)
		saved, err := x.deps.Store.Update(ctx, next)
		if err == nil {
			x.rec = saved
			return nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("persist %s: %w", next.State.GetExecutionId(), err)
		}
		if err := x.rebaseLocked(ctx); err != nil {
			return err
		}
	}
}

// rebaseLocked reads the record after a conflicting write. A changed lease
// means another replica took the execution over: stop. Otherwise an
// operator's request (pause, cancel) was written: keep it and apply the
// change again over it.
func (x *execution) rebaseLocked(ctx context.Context) error {
	latest, err := x.deps.Store.Get(ctx, x.rec.State.GetExecutionId())
	if err != nil {
		return fmt.Errorf("reread %s: %w", x.rec.State.GetExecutionId(), err)
	}
	if !sameLease(latest.Lease, x.rec.Lease) {
		x.lose(errLeaseLost)
		return errLeaseLost
	}
	x.rec = latest
	return nil
}

// view runs fn on the current record under the lock; fn must not keep it.
func (x *execution) view(fn func(r *store.Record)) {
	x.mu.Lock()
	defer x.mu.Unlock()
	fn(x.rec)
}

// snapshot is a copy of the public state.
func (x *execution) snapshot() *rebalancerv1.ExecutionState {
	var s *rebalancerv1.ExecutionState
	x.view(func(r *store.Record) { s = proto.CloneOf(r.State) })
	return s
}

func (x *execution) plan() *rebalancerv1.RebalancePlan {
	var p *rebalancerv1.RebalancePlan
	x.view(func(r *store.Record) { p = r.Plan })
	return p // never modified after acceptance
}

func (x *execution) now() time.Time { return x.deps.Clock.Now() }

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

// derive recomputes the fields that follow from node states, and clears
// the pause's fields of an execution no longer paused.
func derive(r *store.Record) {
	s := r.State
	if s.GetStatus() != rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED {
		s.PauseReason, s.ResumeAt = rebalancerv1.PauseReason_PAUSE_REASON_UNSPECIFIED, nil
	}
	s.CompletedNodes, s.ProvisionedNodes = nil, nil
	total := 0
	for _, n := range s.GetNodes() {
		if n.GetPhase() == rebalancerv1.NodePhase_NODE_PHASE_DONE {
			s.CompletedNodes = append(s.CompletedNodes, n.GetOldNode())
		}
		if n.GetNewVmIdentifier() != "" {
			s.ProvisionedNodes = append(s.ProvisionedNodes, n.GetNewHostname())
		}
		total += phaseProgress[n.GetPhase()]
	}
	if len(s.GetNodes()) > 0 {
		s.ProgressPercent = int32(total / len(s.GetNodes()))
	}
	if isFinal(s.GetStatus()) {
		s.ProgressPercent = 100
	}
}

// phaseProgress is how far along a node is, in percent, by phase.
var phaseProgress = map[rebalancerv1.NodePhase]int{
	rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING: 10,
	rebalancerv1.NodePhase_NODE_PHASE_JOINING:      20,
	rebalancerv1.NodePhase_NODE_PHASE_READY:        35,
	rebalancerv1.NodePhase_NODE_PHASE_CORDONED:     45,
	rebalancerv1.NodePhase_NODE_PHASE_DRAINING:     55,
	rebalancerv1.NodePhase_NODE_PHASE_DRAINED:      75,
	rebalancerv1.NodePhase_NODE_PHASE_TERMINATING:  90,
	rebalancerv1.NodePhase_NODE_PHASE_DONE:         100,
	rebalancerv1.NodePhase_NODE_PHASE_FAILED:       100,
	rebalancerv1.NodePhase_NODE_PHASE_ROLLED_BACK:  100,
}

func isFinal(s rebalancerv1.ExecutionStatus) bool { return store.Final(s) }

// IsFinal reports whether an execution in status s will not change again.
func IsFinal(s rebalancerv1.ExecutionStatus) bool { return store.Final(s) }
