package server

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Dependencies turning healthy at the same moment, in goroutines of their
// own, must leave the service SERVING: each change reads readiness and
// publishes it, and a publish computed before another dependency turned
// healthy must not land after the publish computed once all of them were.
func TestDependenciesTurningHealthyTogetherLeaveTheServiceServing(t *testing.T) {
	names := []string{"kubernetes", "nats", "executions store", "nodegroup cache"}
	for round := range 300 {
		s, err := New(Config{Name: "test", GRPCAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
			ShutdownTimeout: time.Second, LogFormat: "text", LogLevel: "error"})
		require.NoError(t, err)
		for _, name := range names {
			s.Depend(Dependency{Name: name})
		}
		var start, done sync.WaitGroup
		start.Add(1)
		for _, name := range names {
			done.Go(func() {
				start.Wait()
				s.deps.set(name, true)
			})
		}
		start.Done()
		done.Wait()
		resp, err := s.health.Check(context.Background(), &healthpb.HealthCheckRequest{})
		require.NoError(t, err)
		require.Equal(t, healthpb.HealthCheckResponse_SERVING, resp.GetStatus(), "round %d", round)
	}
}
