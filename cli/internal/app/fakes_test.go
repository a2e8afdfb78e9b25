package app_test

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/vpsie/node-rebalancer/cli/internal/testfixture"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// The fakes below are test doubles of our own three services: canned
// answers, and a record of every request so tests check what the CLI sent.

type fakeAnalyzer struct {
	rebalancerv1.UnimplementedAnalyzerServiceServer
	mu   sync.Mutex
	reqs []*rebalancerv1.AnalyzeRebalanceRequest
}

func (f *fakeAnalyzer) AnalyzeRebalance(_ context.Context, req *rebalancerv1.AnalyzeRebalanceRequest) (*rebalancerv1.AnalyzeRebalanceResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	return &rebalancerv1.AnalyzeRebalanceResponse{Analysis: testfixture.Analysis()}, nil
}

func (f *fakeAnalyzer) requests() []*rebalancerv1.AnalyzeRebalanceRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs
}

type fakePlanner struct {
	rebalancerv1.UnimplementedPlannerServiceServer
	mu   sync.Mutex
	reqs []*rebalancerv1.CreatePlanRequest
	err  error // returned instead of the plan when set
}

func (f *fakePlanner) CreatePlan(_ context.Context, req *rebalancerv1.CreatePlanRequest) (*rebalancerv1.CreatePlanResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	if f.err != nil {
		return nil, f.err
	}
	return &rebalancerv1.CreatePlanResponse{Plan: testfixture.Plan()}, nil
}

func (f *fakePlanner) requests() []*rebalancerv1.CreatePlanRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs
}

// fakeExecutor streams a canned event sequence for its one execution and
// reports the status that sequence ends in.
type fakeExecutor struct {
	rebalancerv1.UnimplementedExecutorServiceServer
	events []*rebalancerv1.ExecutionEvent
	final  rebalancerv1.ExecutionStatus
	mu     sync.Mutex
	reqs   []proto.Message
}

func (f *fakeExecutor) record(req proto.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
}

func (f *fakeExecutor) requests() []proto.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs
}

func (f *fakeExecutor) execution(status rebalancerv1.ExecutionStatus) *rebalancerv1.ExecutionState {
	e := testfixture.Execution()
	e.Status = status
	return e
}

func (f *fakeExecutor) ExecutePlan(_ context.Context, req *rebalancerv1.ExecutePlanRequest) (*rebalancerv1.ExecutePlanResponse, error) {
	f.record(req)
	return &rebalancerv1.ExecutePlanResponse{Execution: f.execution(rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PENDING)}, nil
}

func (f *fakeExecutor) GetExecution(_ context.Context, req *rebalancerv1.GetExecutionRequest) (*rebalancerv1.GetExecutionResponse, error) {
	f.record(req)
	return &rebalancerv1.GetExecutionResponse{Execution: f.execution(f.final)}, nil
}

func (f *fakeExecutor) ListExecutions(_ context.Context, req *rebalancerv1.ListExecutionsRequest) (*rebalancerv1.ListExecutionsResponse, error) {
	f.record(req)
	return &rebalancerv1.ListExecutionsResponse{Executions: []*rebalancerv1.ExecutionState{f.execution(f.final)}}, nil
}

func (f *fakeExecutor) WatchExecution(req *rebalancerv1.WatchExecutionRequest, stream grpc.ServerStreamingServer[rebalancerv1.WatchExecutionResponse]) error {
	f.record(req)
	for _, ev := range f.events {
		if ev.GetSequence() < req.GetFromSequence() {
			continue
		}
		if err := stream.Send(&rebalancerv1.WatchExecutionResponse{Event: ev}); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeExecutor) ApproveExecution(_ context.Context, req *rebalancerv1.ApproveExecutionRequest) (*rebalancerv1.ApproveExecutionResponse, error) {
	f.record(req)
	return &rebalancerv1.ApproveExecutionResponse{Execution: f.execution(rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING)}, nil
}

func (f *fakeExecutor) CancelExecution(_ context.Context, req *rebalancerv1.CancelExecutionRequest) (*rebalancerv1.CancelExecutionResponse, error) {
	f.record(req)
	return &rebalancerv1.CancelExecutionResponse{Execution: f.execution(rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLING_BACK)}, nil
}

// services are the three fakes, each served on its own loopback port.
type services struct {
	analyzer *fakeAnalyzer
	planner  *fakePlanner
	executor *fakeExecutor
	// env points rebalancectl at the fakes through its variables.
	env map[string]string
}

// startServices serves the fakes; the executor's watch replays events.
func startServices(t *testing.T, events []*rebalancerv1.ExecutionEvent, final rebalancerv1.ExecutionStatus) *services {
	t.Helper()
	s := &services{
		analyzer: &fakeAnalyzer{}, planner: &fakePlanner{},
		executor: &fakeExecutor{events: events, final: final},
	}
	s.env = map[string]string{
		"REBALANCECTL_ANALYZER": serve(t, func(g *grpc.Server) { rebalancerv1.RegisterAnalyzerServiceServer(g, s.analyzer) }),
		"REBALANCECTL_PLANNER":  serve(t, func(g *grpc.Server) { rebalancerv1.RegisterPlannerServiceServer(g, s.planner) }),
		"REBALANCECTL_EXECUTOR": serve(t, func(g *grpc.Server) { rebalancerv1.RegisterExecutorServiceServer(g, s.executor) }),
	}
	return s
}

func serve(t *testing.T, register func(*grpc.Server)) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	register(srv)
	go func() { _ = srv.Serve(lis) }() // Serve returns when Stop closes the listener
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// closedAddress is a loopback port nothing listens on.
func closedAddress(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := lis.Addr().String()
	require.NoError(t, lis.Close())
	return addr
}
