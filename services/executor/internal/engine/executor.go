package engine

import (
	"context"
	"errors"
	"sync"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// ErrNotFound: no execution with that ID.
var ErrNotFound = store.ErrNotFound

// WatchFunc streams an execution's events from a sequence until its final
// event (progress.Hub.Watch in production: one JetStream consumer per
// execution, shared by its watchers).
type WatchFunc func(ctx context.Context, executionID string, fromSequence uint64, handle func(*rebalancerv1.ExecutionEvent) error) error

// Executor accepts plans, runs them in the background and answers for them.
type Executor struct {
	deps  Deps
	watch WatchFunc

	ctx    context.Context // ends at Stop; bounds every running execution
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// acceptMu keeps two submissions of one plan from racing past the
	// existence check; the store's create-if-absent is the real guard.
	acceptMu sync.Mutex

	// running holds the executions this replica runs now, so a scan never
	// claims (and so fences off) one of its own running executions.
	runningMu sync.Mutex
	running   map[string]chan struct{} // closed when the run ends
}

// New returns an Executor that holds plans to the cluster with checker;
// call Stop when done.
func New(deps Deps, checker accept.Checker, watch WatchFunc) *Executor {
	deps.withDefaults()
	deps.checker = checker
	ctx, cancel := context.WithCancel(context.Background())
	return &Executor{deps: deps, watch: watch, ctx: ctx, cancel: cancel, running: map[string]chan struct{}{}}
}

// Stop ends every running execution at its next wait and returns once
// they all stopped; their records stay as they were, to be resumed.
func (e *Executor) Stop() {
	e.cancel()
	e.wg.Wait()
}

// Get returns an execution's state. Errors: ErrNotFound.
func (e *Executor) Get(ctx context.Context, id string) (*rebalancerv1.ExecutionState, error) {
	r, err := e.deps.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.State, nil
}

// Watch streams an execution's events from fromSequence until its final
// event. Errors: ErrNotFound.
func (e *Executor) Watch(ctx context.Context, id string, fromSequence uint64, handle func(*rebalancerv1.ExecutionEvent) error) error {
	r, err := e.deps.Store.Get(ctx, id)
	if err != nil {
		return err
	}
	if store.Settled(r) && fromSequence > r.State.GetLastEventSequence() {
		return nil // nothing after the final event (out unless the end's tail is pending)
	}
	return e.watch(ctx, id, fromSequence, handle)
}

// IsNotFound reports whether err means no such execution.
func IsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
