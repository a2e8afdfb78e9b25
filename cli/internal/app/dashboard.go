package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpsie/node-rebalancer/cli/dashboard"
)

// DefaultDashboardListen is loopback: the dashboard calls the Executor with
// the CLI's own credentials, so whoever reaches it reads what they may.
const DefaultDashboardListen = "127.0.0.1:8090"

// shutdownGrace bounds the wait for open pages when the command stops;
// their event streams end with the command's context.
const shutdownGrace = 5 * time.Second

func (a *app) dashboardCommand() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Serve a live web dashboard of the Executor's executions",
		Long: `dashboard serves a web page listing the Executor's executions and showing
the selected one live: each batch and node with its phase and a progress bar,
evictions a PodDisruptionBudget refused, and the result. The page reads the
Executor's WatchExecution stream through this process (server-sent events), so
the browser needs no gRPC and no credentials; it reconnects by itself.`,
		Example: `  rebalancectl dashboard                          # http://127.0.0.1:8090
  rebalancectl dashboard --listen 127.0.0.1:9000 --executor executor.example:9092 --tls`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.serveDashboard(cmd.Context(), listen)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", DefaultDashboardListen, "address to serve the dashboard on")
	return cmd
}

// serveDashboard serves until ctx ends (Ctrl-C), then stops.
func (a *app) serveDashboard(ctx context.Context, listen string) error {
	client, err := a.executor()
	if err != nil {
		return err
	}
	lis, err := (&net.ListenConfig{}).Listen(ctx, "tcp", listen)
	if err != nil {
		return usageErrorf("--listen %s: %v", listen, err)
	}
	srv := &http.Server{
		Handler:           dashboard.New(client, dashboard.Options{CallTimeout: a.global.timeout}),
		ReadHeaderTimeout: 10 * time.Second,
		// No write timeout: an execution's event stream lasts as long as it.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	_, _ = fmt.Fprintf(a.env.Stdout, "Dashboard on http://%s (executor %s); Ctrl-C stops it\n", lis.Addr(), a.global.executor)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
