// Package api is the gRPC face of the Planner: it unpacks requests, calls the
// planning logic and the shared plan rules, and returns their results.
// Requests reach it already validated by the shared interceptor chain,
// which also maps its errors by the table in errors.go.
package api

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vpsie/node-rebalancer/libs/access"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/libs/plansign"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/planner/internal/planner"
)

// Server implements rebalancerv1.PlannerServiceServer.
type Server struct {
	rebalancerv1.UnimplementedPlannerServiceServer
	metrics *metrics
	signer  *plansign.Signer
}

// Option configures a Server.
type Option func(*Server)

// WithSigner signs every plan CreatePlan returns (see libs/plansign). A
// nil signer leaves plans unsigned.
func WithSigner(s *plansign.Signer) Option { return func(srv *Server) { srv.signer = s } }

// New builds the service, registering its metrics on reg.
func New(reg prometheus.Registerer, opts ...Option) (*Server, error) {
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	s := &Server{metrics: m}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Register adds the Planner and its error table to a server.
func (s *Server) Register(r server.Registrar) {
	rebalancerv1.RegisterPlannerServiceServer(r, s)
	r.MapErrors(rebalancerv1.PlannerService_ServiceDesc.ServiceName, Errors)
	r.Authorize(rebalancerv1.PlannerService_ServiceDesc.ServiceName, access.Planner())
}

// CreatePlan plans the request's analysis under its policy and overrides,
// and signs the plan when the Planner has a signing key.
func (s *Server) CreatePlan(ctx context.Context, req *rebalancerv1.CreatePlanRequest) (*rebalancerv1.CreatePlanResponse, error) {
	plan, err := planner.CreatePlan(req.GetAnalysis(), req.GetOverrides())
	if err != nil {
		return nil, err
	}
	if s.signer != nil {
		if err := s.signer.Sign(plan); err != nil {
			return nil, fmt.Errorf("sign plan %s: %w", plan.GetPlanId(), err)
		}
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
