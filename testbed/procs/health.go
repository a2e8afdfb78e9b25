package procs

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// healthPoll is the time between two health checks.
const healthPoll = 50 * time.Millisecond

// WaitHealth polls gRPC health checking on conn until service reports
// want. It gives up when ctx ends, or as soon as exited (when not nil)
// returns an error: a process that has ended will never answer. The error
// says what health checking answered last.
func WaitHealth(ctx context.Context, conn grpc.ClientConnInterface, service string,
	want healthpb.HealthCheckResponse_ServingStatus, exited func() error) error {
	client := healthpb.NewHealthClient(conn)
	tick := time.NewTicker(healthPoll)
	defer tick.Stop()
	last := "none"
	for {
		resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
		if err == nil && resp.GetStatus() == want {
			return nil
		}
		switch code := status.Code(err); {
		case ctx.Err() != nil || code == codes.DeadlineExceeded || code == codes.Canceled:
			// ctx ending cut the call short: keep the last real answer.
		case err != nil:
			last = err.Error()
		default:
			last = resp.GetStatus().String()
		}
		if exited != nil {
			if err := exited(); err != nil {
				return fmt.Errorf("%s never reported %s: %w", service, want, err)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s never reported %s (last answer: %s): %w", service, want, last, ctx.Err())
		case <-tick.C:
		}
	}
}
