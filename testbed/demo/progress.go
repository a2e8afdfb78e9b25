package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/vpsie/node-rebalancer/cli/progressview"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// events keeps what the watch saw, for the invariant monitor (which pods
// were deliberately deleted past their budget) while it runs.
type events struct {
	mu   sync.Mutex
	list []*rebalancerv1.ExecutionEvent
}

func (e *events) add(ev *rebalancerv1.ExecutionEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

// forced lists the pods ("namespace/name") the execution reported deleting
// past their budget: the monitor does not count them as PDB violations.
func (e *events) forced() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var pods []string
	for _, ev := range e.list {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED {
			pods = append(pods, ev.GetDetails()["pod"])
		}
	}
	return pods
}

// follow streams the execution's events from the first, drawing progress
// bars per batch and node (or a line per event off a terminal), until the
// Executor ends the stream after the final event. It returns the
// execution as the Executor reports it then.
func follow(ctx context.Context, cfg Config, s *services, start *rebalancerv1.ExecutionState, seen *events) (*rebalancerv1.ExecutionState, error) {
	state := progressview.NewState(start, 0)
	draw := lineDrawer(cfg.Out)
	if cfg.Terminal {
		term := progressview.NewTerminal(cfg.Out, max(cfg.Width-1, 0))
		draw = func(s *progressview.State, _ *rebalancerv1.ExecutionEvent) error {
			return term.Draw(progressview.Render(s))
		}
	}
	stream, err := s.executor.WatchExecution(ctx, &rebalancerv1.WatchExecutionRequest{ExecutionId: start.GetExecutionId()})
	for err == nil {
		var resp *rebalancerv1.WatchExecutionResponse
		if resp, err = stream.Recv(); err == nil {
			seen.add(resp.GetEvent())
			state.Apply(resp.GetEvent())
			err = draw(state, resp.GetEvent())
		}
	}
	if !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("watching %s: %w", start.GetExecutionId(), err)
	}
	if !state.Final {
		return nil, fmt.Errorf("the event stream of %s ended before its final event", start.GetExecutionId())
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	resp, err := s.executor.GetExecution(ctx, &rebalancerv1.GetExecutionRequest{ExecutionId: start.GetExecutionId()})
	if err != nil {
		return nil, fmt.Errorf("executor: %w", err)
	}
	return resp.GetExecution(), nil
}

// lineDrawer prints one line per event, for logs and pipes.
func lineDrawer(w io.Writer) func(*progressview.State, *rebalancerv1.ExecutionEvent) error {
	return func(_ *progressview.State, ev *rebalancerv1.ExecutionEvent) error {
		_, err := fmt.Fprintln(w, progressview.Line(ev))
		return err
	}
}
