// Package api is the gRPC face of the Planner: it unpacks requests, calls the
// planning logic and maps its results and errors.
package api

import (
	"google.golang.org/grpc"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Server implements rebalancerv1.PlannerServiceServer. Until the planning
// logic lands, every RPC answers Unimplemented (from the embedded type);
// requests are already validated by the shared interceptor chain.
type Server struct {
	rebalancerv1.UnimplementedPlannerServiceServer
}

// Register adds the Planner to a gRPC server.
func Register(s grpc.ServiceRegistrar) {
	rebalancerv1.RegisterPlannerServiceServer(s, &Server{})
}
