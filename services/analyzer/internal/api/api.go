// Package api is the gRPC face of the Analyzer: it unpacks requests, calls
// the analysis and returns its results. Requests reach it already
// validated by the shared interceptor chain, which also maps its errors
// by the table in errors.go.
package api

import (
	"context"

	"github.com/vpsie/node-rebalancer/libs/access"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/server"
)

// Analyzer is the domain the handlers call.
type Analyzer interface {
	Analyze(ctx context.Context, namespace, group string, opp *rebalancerv1.Opportunity) (*rebalancerv1.RebalanceAnalysis, error)
	ValidateSafety(ctx context.Context, namespace, group string, nodes []string) (*rebalancerv1.ValidateRebalanceSafetyResponse, error)
}

// Server implements rebalancerv1.AnalyzerServiceServer.
type Server struct {
	rebalancerv1.UnimplementedAnalyzerServiceServer
	analyzer Analyzer
}

// New returns the service over an analyzer.
func New(a Analyzer) *Server {
	return &Server{analyzer: a}
}

// Register adds the Analyzer and its error table to a server.
func (s *Server) Register(r server.Registrar) {
	rebalancerv1.RegisterAnalyzerServiceServer(r, s)
	r.MapErrors(rebalancerv1.AnalyzerService_ServiceDesc.ServiceName, Errors)
	r.Authorize(rebalancerv1.AnalyzerService_ServiceDesc.ServiceName, access.Analyzer())
}

// AnalyzeRebalance analyses the request's opportunity for its group.
func (s *Server) AnalyzeRebalance(ctx context.Context, req *rebalancerv1.AnalyzeRebalanceRequest) (*rebalancerv1.AnalyzeRebalanceResponse, error) {
	a, err := s.analyzer.Analyze(ctx, req.GetNamespace(), req.GetNodeGroup(), req.GetOpportunity())
	if err != nil {
		return nil, err
	}
	return &rebalancerv1.AnalyzeRebalanceResponse{Analysis: a}, nil
}

// ValidateRebalanceSafety runs the safety checks for the request's nodes.
func (s *Server) ValidateRebalanceSafety(ctx context.Context, req *rebalancerv1.ValidateRebalanceSafetyRequest) (*rebalancerv1.ValidateRebalanceSafetyResponse, error) {
	resp, err := s.analyzer.ValidateSafety(ctx, req.GetNamespace(), req.GetNodeGroup(), req.GetNodeNames())
	if err != nil {
		return nil, err
	}
	return resp, nil
}
