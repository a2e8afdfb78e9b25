// Command planner serves rebalancer.v1.PlannerService: it turns analyses into
// plans. It is pure and stateless, so it needs no cluster, cloud or NATS.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/planner/internal/api"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "planner:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	return server.Run(ctx, server.Program{
		Name:      "planner",
		EnvPrefix: "PLANNER",
		Setup: func(_ context.Context, s *server.Server) error {
			planner, err := api.New(s.Registry())
			if err != nil {
				return err
			}
			planner.Register(s)
			return nil
		},
	}, args)
}
