package api

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/server"
)

// startPlanner serves the Planner over bufconn behind the real interceptor
// chain of libs/server, with the API's request validation.
func startPlanner(t *testing.T) (rebalancerv1.PlannerServiceClient, *prometheus.Registry) {
	t.Helper()
	srv, err := server.New(server.Config{
		Name: "planner", GRPCAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", ShutdownTimeout: time.Second,
		LogFormat: "json", LogLevel: "error", Logger: slog.New(slog.DiscardHandler), Validate: apivalidate.Request,
	})
	require.NoError(t, err)
	planner, err := New(srv.Registry())
	require.NoError(t, err)
	planner.Register(srv)

	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.GRPC().Serve(lis) }()
	t.Cleanup(srv.GRPC().Stop)
	conn, err := grpc.NewClient("passthrough:///planner",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return rebalancerv1.NewPlannerServiceClient(conn), srv.Registry()
}

// validRequest asks for a plan of a 4-node group, every node a safe
// candidate, under the NodeGroup's default policy.
func validRequest() *rebalancerv1.CreatePlanRequest {
	a := &rebalancerv1.RebalanceAnalysis{
		AnalysisId: "analysis-1", NodeGroup: "web", Namespace: "shop", TotalNodes: 4,
		Opportunity: &rebalancerv1.Opportunity{Id: "opp-1", CurrentOffering: "standard-8", TargetOffering: "compute-4"},
		AnalyzedAt:  timestamppb.New(time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)),
		Policy: &rebalancerv1.RebalancePolicy{
			Enabled: true, Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
			MaxConcurrent: 2, BatchSize: 1, MaxSurge: 1, MinHealthyPercent: 75,
			DrainTimeout: durationpb.New(5 * time.Minute), ProvisionTimeout: durationpb.New(10 * time.Minute),
		},
	}
	for i := range 4 {
		a.CandidateNodes = append(a.CandidateNodes, &rebalancerv1.CandidateNode{
			NodeName: fmt.Sprintf("web-%d", i), VmIdentifier: fmt.Sprintf("vm-%d", i),
			CurrentOffering: "standard-8", TargetOffering: "compute-4",
			PriorityScore: float64(4 - i), SafeToRebalance: true,
		})
	}
	return &rebalancerv1.CreatePlanRequest{Analysis: a, Overrides: &rebalancerv1.PlanOverrides{}}
}
