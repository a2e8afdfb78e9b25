package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// execution is one running execution: its last stored record and the one
// lock every change goes through, so writes and events stay in one order.
type execution struct {
	deps *Deps

	mu  sync.Mutex
	rec *store.Record

	// cordonMu serialises capacity-floor checks with the cordons they allow,
	// so two nodes never both pass a check only one of them fits.
	cordonMu sync.Mutex
	// markOnce guards the marking of every old node before the first cordon.
	markMu sync.Mutex

	// stop ends the execution's context when its lease is lost; nil for
	// an execution this replica does not run (tests, API writes).
	stop context.CancelCauseFunc
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

func (x *execution) plan() *rebalancerv1.RebalancePlan {
	var p *rebalancerv1.RebalancePlan
	x.view(func(r *store.Record) { p = r.Plan })
	return p // never modified after acceptance
}

func (x *execution) now() time.Time { return x.deps.Clock.Now() }

// event is one progress event to publish.
type event struct {
	kind    rebalancerv1.EventKind
	node    string
	batch   int32
	message string
	details map[string]string
}

// emit takes the next sequence number, persists it, then publishes the
// event with a message ID of execution and sequence. Persisting first
// means a crash between the two loses at most the publish of a sequence
// the record knows; republishing it is harmless (JetStream drops the
// duplicate), so no sequence is ever used twice or skipped.
func (x *execution) emit(ctx context.Context, e event) error {
	return x.emitMarked(ctx, e, func(*store.Record) {})
}

// publish stores ev on the stream, retrying; JetStream drops a repeat.
func (x *execution) publish(ctx context.Context, ev *rebalancerv1.ExecutionEvent) error {
	backoff := wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Steps: 6, Cap: 3 * time.Second}
	var lastErr error
	err := wait.ExponentialBackoffWithContext(ctx, backoff, func(ctx context.Context) (bool, error) {
		lastErr = x.deps.Events.Publish(ctx, ev)
		return lastErr == nil, nil
	})
	if err != nil {
		return fmt.Errorf("publish event %d: %w", ev.Sequence, errors.Join(err, lastErr))
	}
	return nil
}

// republishLast publishes the last persisted event again: a replica that
// died between persisting and publishing it left a gap only this fills.
// Its message ID makes the repeat harmless when it was published.
func (x *execution) republishLast(ctx context.Context) error {
	var data []byte
	x.view(func(r *store.Record) { data = r.LastEvent })
	if data == nil {
		return nil
	}
	ev, err := progress.Decode(data)
	if err != nil {
		return err
	}
	return x.publish(ctx, ev)
}

// emitf is emit with a formatted message.
func (x *execution) emitf(ctx context.Context, kind rebalancerv1.EventKind, node string, batch int32,
	details map[string]string, format string, args ...any) error {
	return x.emit(ctx, event{kind: kind, node: node, batch: batch, message: fmt.Sprintf(format, args...), details: details})
}

// derive recomputes the fields that follow from node states.
func derive(r *store.Record) {
	s := r.State
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
