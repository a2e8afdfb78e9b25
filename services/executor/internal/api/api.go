// Package api is the gRPC face of the Executor: it unpacks requests, calls
// the engine and returns its results. The interceptor chain maps its
// errors, once, by the table in errors.go.
package api

import (
	"context"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
)

// Server implements rebalancerv1.ExecutorServiceServer (the operator's
// calls, Approve to Rollback, are in control.go). Requests are already
// validated by the shared interceptor chain.
type Server struct {
	rebalancerv1.UnimplementedExecutorServiceServer
	engine atomic.Pointer[engine.Executor]
}

// Register adds the Executor, its error table and its access rules
// (access.go) to a server. It answers
// Unavailable until Ready hands it the engine (the engine needs JetStream up).
func Register(r server.Registrar) *Server {
	srv := &Server{}
	rebalancerv1.RegisterExecutorServiceServer(r, srv)
	r.MapErrors(rebalancerv1.ExecutorService_ServiceDesc.ServiceName, Errors)
	srv.authorize(r)
	return srv
}

// Ready makes the server answer with e.
func (s *Server) Ready(e *engine.Executor) { s.engine.Store(e) }

// errNotReady answers while the engine is not there yet.
var errNotReady = status.Error(codes.Unavailable, "the executor is starting; retry later")

func (s *Server) get() (*engine.Executor, error) {
	if e := s.engine.Load(); e != nil {
		return e, nil
	}
	return nil, errNotReady
}

// ExecutePlan implements rebalancerv1.ExecutorServiceServer.
func (s *Server) ExecutePlan(ctx context.Context, req *rebalancerv1.ExecutePlanRequest) (*rebalancerv1.ExecutePlanResponse, error) {
	e, err := s.get()
	if err != nil {
		return nil, err
	}
	st, err := e.Execute(ctx, req.GetPlan(), caller(ctx))
	if err != nil {
		return nil, err
	}
	return &rebalancerv1.ExecutePlanResponse{Execution: st}, nil
}

// GetExecution implements rebalancerv1.ExecutorServiceServer.
func (s *Server) GetExecution(ctx context.Context, req *rebalancerv1.GetExecutionRequest) (*rebalancerv1.GetExecutionResponse, error) {
	e, err := s.get()
	if err != nil {
		return nil, err
	}
	st, err := e.Get(ctx, req.GetExecutionId())
	if err != nil {
		return nil, err
	}
	return &rebalancerv1.GetExecutionResponse{Execution: st}, nil
}

// ListExecutions implements rebalancerv1.ExecutorServiceServer.
func (s *Server) ListExecutions(ctx context.Context, req *rebalancerv1.ListExecutionsRequest) (*rebalancerv1.ListExecutionsResponse, error) {
	e, err := s.get()
	if err != nil {
		return nil, err
	}
	list, next, err := e.List(ctx, engine.Query{
		Namespace: req.GetNamespace(), NodeGroup: req.GetNodeGroup(), Statuses: req.GetStatuses(),
		PageSize: int(req.GetPageSize()), PageToken: req.GetPageToken(),
	})
	if err != nil {
		return nil, err
	}
	return &rebalancerv1.ListExecutionsResponse{Executions: list, NextPageToken: next}, nil
}

// WatchExecution implements rebalancerv1.ExecutorServiceServer.
func (s *Server) WatchExecution(req *rebalancerv1.WatchExecutionRequest, stream grpc.ServerStreamingServer[rebalancerv1.WatchExecutionResponse]) error {
	e, err := s.get()
	if err != nil {
		return err
	}
	err = e.Watch(stream.Context(), req.GetExecutionId(), req.GetFromSequence(), func(ev *rebalancerv1.ExecutionEvent) error {
		return stream.Send(&rebalancerv1.WatchExecutionResponse{Event: ev})
	})
	return err
}
