package api

import (
	"context"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// ApproveExecution implements rebalancerv1.ExecutorServiceServer.
func (s *Server) ApproveExecution(ctx context.Context, req *rebalancerv1.ApproveExecutionRequest) (*rebalancerv1.ApproveExecutionResponse, error) {
	e, err := s.get()
	if err != nil {
		return nil, err
	}
	st, err := e.Approve(ctx, req.GetExecutionId(), caller(ctx))
	if err != nil {
		return nil, err
	}
	return &rebalancerv1.ApproveExecutionResponse{Execution: st}, nil
}

// PauseExecution implements rebalancerv1.ExecutorServiceServer.
func (s *Server) PauseExecution(ctx context.Context, req *rebalancerv1.PauseExecutionRequest) (*rebalancerv1.PauseExecutionResponse, error) {
	e, err := s.get()
	if err != nil {
		return nil, err
	}
	st, err := e.Pause(ctx, req.GetExecutionId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &rebalancerv1.PauseExecutionResponse{Execution: st}, nil
}

// ResumeExecution implements rebalancerv1.ExecutorServiceServer.
func (s *Server) ResumeExecution(ctx context.Context, req *rebalancerv1.ResumeExecutionRequest) (*rebalancerv1.ResumeExecutionResponse, error) {
	e, err := s.get()
	if err != nil {
		return nil, err
	}
	st, err := e.Resume(ctx, req.GetExecutionId())
	if err != nil {
		return nil, err
	}
	return &rebalancerv1.ResumeExecutionResponse{Execution: st}, nil
}

// CancelExecution implements rebalancerv1.ExecutorServiceServer.
func (s *Server) CancelExecution(ctx context.Context, req *rebalancerv1.CancelExecutionRequest) (*rebalancerv1.CancelExecutionResponse, error) {
	e, err := s.get()
	if err != nil {
		return nil, err
	}
	st, err := e.Cancel(ctx, req.GetExecutionId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &rebalancerv1.CancelExecutionResponse{Execution: st}, nil
}

// RollbackExecution implements rebalancerv1.ExecutorServiceServer.
func (s *Server) RollbackExecution(ctx context.Context, req *rebalancerv1.RollbackExecutionRequest) (*rebalancerv1.RollbackExecutionResponse, error) {
	e, err := s.get()
	if err != nil {
		return nil, err
	}
	st, err := e.Rollback(ctx, req.GetExecutionId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &rebalancerv1.RollbackExecutionResponse{Execution: st}, nil
}
