package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// Server serves one rebalancer service over gRPC and its metrics and probes
// over HTTP.
type Server struct {
	cfg      Config
	logger   *slog.Logger
	registry *prometheus.Registry
	chain    *chain
	guard    *guard
	grpc     *grpc.Server
	health   *health.Server
	http     *http.Server
	deps     dependencies
	watched  []Dependency
	stopping atomic.Bool
	// publishing serializes publishHealth: see there.
	publishing sync.Mutex
	onStop     []func(context.Context) error

	grpcListener, httpListener net.Listener
}

// New builds a server from a checked configuration. Register services on
// GRPC() before Run.
func New(cfg Config) (*Server, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger, _ = NewLogger(cfg.LogFormat, cfg.LogLevel, nil)
	}
	logger = logger.With("service", cfg.Name)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s := &Server{cfg: cfg, logger: logger, registry: reg, health: health.NewServer()}
	s.guard = newGuard(cfg, logger)
	s.chain = newChain(reg, logger, s.guard, cfg.Validate)
	opts := append(s.chain.serverOptions(), cfg.Limits.withDefaults().serverOptions()...)
	if cfg.TLS.Enabled() {
		reloader, err := newTLSReloader(cfg.TLS, func(err error) {
			logger.Error("TLS files not reloaded; the previous ones keep serving", "error", err)
		})
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(reloader.serverConfig())))
	}
	s.grpc = grpc.NewServer(opts...)
	s.deps = dependencies{healthy: map[string]bool{}, changed: s.publishHealth}
	s.http = &http.Server{Handler: httpHandler(reg, s.Ready), ReadHeaderTimeout: 5 * time.Second}
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	return s, nil
}

// GRPC is the server to register services on.
func (s *Server) GRPC() *grpc.Server { return s.grpc }

// Registry is where the service registers its own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Logger is the service's logger.
func (s *Server) Logger() *slog.Logger { return s.logger }

// Depend makes the service NOT_SERVING until dep answers, and whenever it stops answering.
func (s *Server) Depend(dep Dependency) {
	s.watched = append(s.watched, dep)
	s.deps.set(dep.Name, false)
}

// OnStop runs fn during shutdown, after gRPC has stopped (to drain NATS, say).
// Like deferred calls, the last registered runs first.
func (s *Server) OnStop(fn func(context.Context) error) { s.onStop = append(s.onStop, fn) }

// Ready reports whether the service should receive traffic.
func (s *Server) Ready() bool { return !s.stopping.Load() && s.deps.allHealthy() }

// Listen binds both addresses, so a port in use fails at start and ":0" can be used in tests.
func (s *Server) Listen() error {
	var err error
	if s.grpcListener, err = net.Listen("tcp", s.cfg.GRPCAddr); err != nil {
		return fmt.Errorf("--grpc-addr: %w", err)
	}
	if s.httpListener, err = net.Listen("tcp", s.cfg.MetricsAddr); err != nil {
		_ = s.grpcListener.Close()
		return fmt.Errorf("--metrics-addr: %w", err)
	}
	return nil
}

// GRPCAddr is the bound gRPC address (after Listen).
func (s *Server) GRPCAddr() string { return s.grpcListener.Addr().String() }

// MetricsAddr is the bound HTTP address (after Listen).
func (s *Server) MetricsAddr() string { return s.httpListener.Addr().String() }

// Run serves until ctx ends, then shuts down gracefully. It listens first if Listen was not called.
func (s *Server) Run(ctx context.Context) error {
	if err := s.checkAuthReady(); err != nil {
		return err
	}
	if s.grpcListener == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	if s.AuthRequired() && !s.cfg.TLS.Enabled() {
		s.logger.Warn("bearer tokens travel in plaintext: serve TLS with --tls-cert-file and --tls-key-file")
	}
	s.chain.metrics.InitializeMetrics(s.grpc)
	s.publishHealth()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return ignoreClosed(s.grpc.Serve(s.grpcListener)) })
	g.Go(func() error { return ignoreClosed(s.http.Serve(s.httpListener)) })
	for _, dep := range s.watched {
		g.Go(func() error { s.watch(gctx, dep); return nil })
	}
	g.Go(func() error {
		<-gctx.Done()
		return s.shutdown()
	})
	s.logger.Info("serving", "grpc", s.GRPCAddr(), "http", s.MetricsAddr())
	return g.Wait()
}

// publishHealth mirrors readiness into gRPC health, for the server as a whole
// ("") and for each registered service by its full name.
//
// Readiness is read and published under one lock: dependencies change in
// goroutines of their own, and a status read before another dependency
// turned healthy, published after the status read once all were, would
// leave the service NOT_SERVING with nothing left to change it.
func (s *Server) publishHealth() {
	s.publishing.Lock()
	defer s.publishing.Unlock()
	st := healthpb.HealthCheckResponse_NOT_SERVING
	if s.Ready() {
		st = healthpb.HealthCheckResponse_SERVING
	}
	s.health.SetServingStatus("", st)
	for name := range s.grpc.GetServiceInfo() {
		if name != healthpb.Health_ServiceDesc.ServiceName {
			s.health.SetServingStatus(name, st)
		}
	}
}

// shutdown: NOT_SERVING everywhere, wait the drain period so clients move
// away, then GracefulStop bounded by the shutdown timeout, then the hooks.
func (s *Server) shutdown() error {
	s.stopping.Store(true)
	s.health.Shutdown()
	s.logger.Info("draining", "period", s.cfg.DrainPeriod)
	time.Sleep(s.cfg.DrainPeriod)
	stopped := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(s.cfg.ShutdownTimeout):
		s.logger.Warn("in-flight calls cut at the shutdown timeout")
		s.grpc.Stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	errs := []error{s.http.Shutdown(ctx)}
	for i := len(s.onStop) - 1; i >= 0; i-- {
		errs = append(errs, s.onStop[i](ctx))
	}
	s.logger.Info("stopped")
	return errors.Join(errs...)
}

func ignoreClosed(err error) error {
	if errors.Is(err, grpc.ErrServerStopped) || errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
