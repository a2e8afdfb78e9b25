// Package api is the gRPC face of the Executor: it unpacks requests, calls
// the engine and maps its results and errors, once, to gRPC codes.
package api

import (
	"context"
	"errors"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
)

// Server implements rebalancerv1.ExecutorServiceServer (the operator's
// calls, Approve to Rollback, are in control.go). Requests are already
// validated by the shared interceptor chain.
type Server struct {
	rebalancerv1.UnimplementedExecutorServiceServer
	engine atomic.Pointer[engine.Executor]
}

// Register adds the Executor to a gRPC server. It answers Unavailable
// until Ready hands it the engine (the engine needs JetStream up).
func Register(s grpc.ServiceRegistrar) *Server {
	srv := &Server{}
	rebalancerv1.RegisterExecutorServiceServer(s, srv)
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
	st, err := e.Execute(ctx, req.GetPlan(), req.GetRequestedBy())
	if err != nil {
		return nil, toStatus(err)
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
		return nil, toStatus(err)
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
		return nil, toStatus(err)
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
	if err != nil {
		return toStatus(err)
	}
	return nil
}

// toStatus maps the engine's errors to gRPC codes, the one place it is done.
func toStatus(err error) error {
	switch {
	case accept.IsRefused(err):
		// The plan breaks a rule: InvalidArgument with field violations.
		return err
	case engine.IsNotFound(err):
		return status.Error(codes.NotFound, "no such execution")
	case isStateError(err):
		// The caller asked for a transition the status does not allow;
		// the message names the status so the caller knows why.
		se, _ := engine.AsStateError(err)
		return status.Error(codes.FailedPrecondition, se.Error())
	case errors.Is(err, engine.ErrBusy):
		return status.Error(codes.Aborted, engine.ErrBusy.Error())
	case errors.Is(err, engine.ErrBadPageToken):
		return status.Error(codes.InvalidArgument, "page_token: not a token from a previous response")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return status.FromContextError(err).Err()
	default:
		// The cluster, the cloud or NATS did not answer; say so without
		// leaking internal detail.
		return status.Error(codes.Unavailable, "a dependency of the executor is unavailable; retry later")
	}
}

func isStateError(err error) bool {
	_, ok := engine.AsStateError(err)
	return ok
}
