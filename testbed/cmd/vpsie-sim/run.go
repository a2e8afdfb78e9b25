package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// shutdownGrace is how long answers in flight get once we are told to stop.
const shutdownGrace = 5 * time.Second

// run serves the simulator until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	opts, err := parseOptions(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	kube, err := cluster(opts.kubeconfig)
	if err != nil {
		return err
	}
	q := vpsiesim.DefaultQuota()
	q.MaxVMs = opts.quotaVMs
	sim, err := vpsiesim.New(vpsiesim.Options{
		Token: opts.token, Quota: q, BootDelay: opts.bootDelay, Kube: kube,
		Seed: opts.seed, RateLimit: opts.rateLimit, Logger: log,
		JoinToken: opts.joinToken, ListingLag: opts.listingLag, PageSize: opts.pageSize,
	})
	if err != nil {
		return err
	}
	defer sim.Close()
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return err
	}
	log.Info("vpsie-sim serving", slog.String("url", "http://"+ln.Addr().String()),
		slog.Duration("bootDelay", opts.bootDelay), slog.Bool("joinsCluster", kube != nil),
		slog.Bool("joinTokenRequired", opts.joinToken != ""), slog.Duration("listingLag", opts.listingLag),
		slog.Int("pageSize", opts.pageSize))
	return serve(ctx, ln, sim, log)
}

// cluster is the client booted VMs join through; nil without a kubeconfig.
// KUBECONFIG may list several files, as kubectl allows.
func cluster(kubeconfig string) (kubernetes.Interface, error) {
	if kubeconfig == "" {
		return nil, nil
	}
	rules := &clientcmd.ClientConfigLoadingRules{Precedence: filepath.SplitList(kubeconfig)}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return kubernetes.NewForConfig(cfg)
}

func serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("vpsie-sim shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Like the services' GracefulStop with a deadline: what is still in
		// flight after the grace is cut, and the stop itself succeeded.
		log.Warn("answers still in flight after the shutdown grace were cut", "grace", shutdownGrace, "error", err)
		if err := srv.Close(); err != nil {
			return err
		}
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
