// Package api is the gRPC face of the Analyzer: it unpacks requests, calls the
// planning logic and maps its results and errors.
package api

import (
	"google.golang.org/grpc"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Server implements rebalancerv1.AnalyzerServiceServer. Until the analysis
// logic lands, every RPC answers Unimplemented (from the embedded type);
// requests are already validated by the shared interceptor chain.
type Server struct {
	rebalancerv1.UnimplementedAnalyzerServiceServer
}

// Register adds the Analyzer to a gRPC server.
func Register(s grpc.ServiceRegistrar) {
	rebalancerv1.RegisterAnalyzerServiceServer(s, &Server{})
}
