package dashboard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/vpsie/node-rebalancer/cli/progressview"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// The names of the events the page listens for.
const (
	// eventState is the execution's view before the first relayed event.
	eventState = "state"
	// eventProgress is one relayed event and the view after it; its SSE
	// id is the event's sequence.
	eventProgress = "progress"
	// eventResult is the outcome, once the execution ended.
	eventResult = "result"
	// eventEnd says there is nothing more: the page stops listening
	// instead of reconnecting.
	eventEnd = "end"
	// eventFailure says the relay broke; the browser reconnects and the
	// watch resumes after the last event it got.
	eventFailure = "failure"
)

// progressUpdate is the data of a progress event.
type progressUpdate struct {
	Event eventView     `json:"event"`
	View  executionView `json:"view"`
}

// watchExecution relays WatchExecution of one execution as server-sent
// events, resuming after the browser's Last-Event-ID when it reconnects.
func (s *Server) watchExecution(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	from, err := resumeFrom(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: err.Error()})
		return
	}
	exec, err := s.getExecution(r.Context(), id)
	if err != nil {
		s.writeCallError(w, "GetExecution", err)
		return
	}
	stream, err := startEventStream(w)
	if err != nil {
		return // the browser went away
	}
	state := progressview.NewState(exec, from)
	if err := stream.send(eventState, 0, viewOf(state)); err != nil {
		return
	}
	if err := s.relay(r.Context(), id, from, state, stream); err != nil {
		s.failed(r.Context(), stream, err)
		return
	}
	s.finish(r.Context(), id, stream)
}

// resumeFrom is the first sequence the browser wants: after its
// Last-Event-ID when it reconnects, else the ?from= it asked for, else
// the start (0).
func resumeFrom(r *http.Request) (uint64, error) {
	if last := r.Header.Get("Last-Event-ID"); last != "" {
		n, err := strconv.ParseUint(last, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("Last-Event-ID %q is not an event sequence", last)
		}
		return n + 1, nil
	}
	if from := r.URL.Query().Get("from"); from != "" {
		n, err := strconv.ParseUint(from, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("from %q is not an event sequence", from)
		}
		return n, nil
	}
	return 0, nil
}

func (s *Server) getExecution(ctx context.Context, id string) (*rebalancerv1.ExecutionState, error) {
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	resp, err := s.exec.GetExecution(ctx, &rebalancerv1.GetExecutionRequest{ExecutionId: id})
	return resp.GetExecution(), err
}

// relay sends each event of the watch with the view after it, until the
// Executor ends the stream (the execution's final event) or fails.
func (s *Server) relay(ctx context.Context, id string, from uint64, state *progressview.State, stream *eventStream) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the watch when the browser went away
	events, err := s.exec.WatchExecution(ctx, &rebalancerv1.WatchExecutionRequest{ExecutionId: id, FromSequence: from})
	for err == nil {
		var resp *rebalancerv1.WatchExecutionResponse
		if resp, err = events.Recv(); err != nil {
			break
		}
		ev := resp.GetEvent()
		state.Apply(ev)
		err = stream.send(eventProgress, ev.GetSequence(), progressUpdate{Event: eventViewOf(ev), View: viewOf(state)})
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// finish sends the result of an execution whose stream ended, then the
// end. A stream that ended before the execution did (an Executor going
// away mid-watch) is a failure: the browser reconnects.
func (s *Server) finish(ctx context.Context, id string, stream *eventStream) {
	exec, err := s.getExecution(ctx, id)
	if err == nil && !finished(exec.GetStatus()) {
		err = fmt.Errorf("the event stream ended while the execution is %s", statusName(exec.GetStatus()))
	}
	if err != nil {
		s.failed(ctx, stream, err)
		return
	}
	if stream.send(eventResult, 0, resultOf(exec)) == nil {
		_ = stream.send(eventEnd, 0, struct{}{}) // the browser went away; nothing to tell it
	}
}

// failed tells the browser the relay broke, unless the browser itself
// went away.
func (s *Server) failed(ctx context.Context, stream *eventStream, err error) {
	if ctx.Err() != nil {
		return
	}
	s.opts.Logger.Warn("relaying an execution's events failed", "error", err)
	_ = stream.send(eventFailure, 0, apiError{Error: err.Error()}) // nothing more to do if this fails too
}
