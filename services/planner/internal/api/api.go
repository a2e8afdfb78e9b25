// Package api is the gRPC face of the Planner: it unpacks requests, calls the
// planning logic and the shared plan rules, and returns their results.
// Requests reach it already validated by the shared interceptor chain,
// which also maps its errors by the table in errors.go.
package api

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/planner/internal/planner"
)

// Server implements rebalancerv1.PlannerServiceServer.
type Server struct {
	rebalancerv1.UnimplementedPlannerServiceServer
	metrics *metrics
}

// New builds the service, registering its metrics on reg.
func New(reg prometheus.Registerer) (*Server, error) {
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	return &Server{metrics: m}, nil
}

// Register adds the Planner and its error table to a server.
func (s *Server) Register(r server.Registrar) {
	rebalancerv1.RegisterPlannerServiceServer(r, s)
	r.MapErrors(rebalancerv1.PlannerService_ServiceDesc.ServiceName, Errors)
}

// CreatePlan plans the request's analysis under its policy and overrides.
func (s *Server) CreatePlan(ctx context.Context, req *rebalancerv1.CreatePlanRequest) (*rebalancerv1.CreatePlanResponse, error) {
	plan, err := planner.CreatePlan(req.GetAnalysis(), req.GetOverrides())
	if err != nil {
		return nil, err
	}
	s.metrics.planCreated(plan)
	return &rebalancerv1.CreatePlanResponse{Plan: plan}, nil
}

// ValidatePlan answers with every rule the plan breaks. A broken plan is the
// answer, not an error: the call itself succeeded.
func (s *Server) ValidatePlan(_ context.Context, req *rebalancerv1.ValidatePlanRequest) (*rebalancerv1.ValidatePlanResponse, error) {
	found := plancheck.Check(req.GetPlan())
	resp := &rebalancerv1.ValidatePlanResponse{Valid: len(found) == 0}
	for _, v := range found {
		resp.Violations = append(resp.Violations, &rebalancerv1.PlanViolation{Field: v.Field, Description: v.Description})
	}
	return resp, nil
}
