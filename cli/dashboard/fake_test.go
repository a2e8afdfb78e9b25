package dashboard_test

import (
	"context"
	"io"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// fakeExecutor answers the dashboard's three reads from canned messages
// and records the watches asked for.
type fakeExecutor struct {
	list []*rebalancerv1.ExecutionState
	// states are GetExecution's answers in turn, the last one repeated.
	states []*rebalancerv1.ExecutionState
	events []*rebalancerv1.ExecutionEvent
	// breakAfter, when set, fails the watch after that many events.
	breakAfter int
	err        error // returned by every call when set

	mu      sync.Mutex
	gets    int
	watches []*rebalancerv1.WatchExecutionRequest
}

func (f *fakeExecutor) ListExecutions(context.Context, *rebalancerv1.ListExecutionsRequest, ...grpc.CallOption) (*rebalancerv1.ListExecutionsResponse, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &rebalancerv1.ListExecutionsResponse{Executions: f.list}, nil
}

func (f *fakeExecutor) GetExecution(context.Context, *rebalancerv1.GetExecutionRequest, ...grpc.CallOption) (*rebalancerv1.GetExecutionResponse, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	i := min(f.gets, len(f.states)-1)
	f.gets++
	return &rebalancerv1.GetExecutionResponse{Execution: f.states[i]}, nil
}

func (f *fakeExecutor) WatchExecution(ctx context.Context, req *rebalancerv1.WatchExecutionRequest, _ ...grpc.CallOption) (grpc.ServerStreamingClient[rebalancerv1.WatchExecutionResponse], error) {
	f.mu.Lock()
	f.watches = append(f.watches, req)
	f.mu.Unlock()
	var events []*rebalancerv1.ExecutionEvent
	for _, ev := range f.events {
		if ev.GetSequence() >= req.GetFromSequence() {
			events = append(events, ev)
		}
	}
	return &fakeStream{ctx: ctx, events: events, breakAfter: f.breakAfter}, nil
}

func (f *fakeExecutor) watchRequests() []*rebalancerv1.WatchExecutionRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*rebalancerv1.WatchExecutionRequest(nil), f.watches...)
}

// fakeStream yields its events, then io.EOF as the Executor does after
// the final event, or Unavailable after breakAfter events.
type fakeStream struct {
	grpc.ClientStream // unused methods; nil
	ctx               context.Context
	events            []*rebalancerv1.ExecutionEvent
	sent, breakAfter  int
}

func (s *fakeStream) Recv() (*rebalancerv1.WatchExecutionResponse, error) {
	if s.breakAfter > 0 && s.sent == s.breakAfter {
		return nil, status.Error(codes.Unavailable, "executor went away")
	}
	if s.sent == len(s.events) {
		return nil, io.EOF
	}
	s.sent++
	return &rebalancerv1.WatchExecutionResponse{Event: s.events[s.sent-1]}, nil
}
