// Command rebalancectl drives the Node Rebalancer's Analyzer, Planner and
// Executor over gRPC: analyze, plan, execute, watch and steer executions.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/vpsie/node-rebalancer/cli/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	os.Exit(app.Report(os.Stderr, err))
}

func run(ctx context.Context) error {
	return app.Execute(ctx, app.System(), os.Args[1:])
}
