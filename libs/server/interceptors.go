package server

import (
	"context"
	"log/slog"
	"runtime/debug"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// chain is the one interceptor chain of every service, outermost first:
// metrics see every call (panics, refusals and invalid requests included),
// logging sees the final code, errors maps what a handler returned to a
// status (the service's typed errors by its table, anything unknown to
// Internal, logged), guard authenticates the caller, caps its open streams
// and authorizes the call (a stream by its first request), recovery turns
// a panic into Internal, and validation refuses a bad request before any
// handler runs: only an authorized caller learns what is wrong with its
// request.
type chain struct {
	metrics  *grpcprom.ServerMetrics
	panics   prometheus.Counter
	logger   *slog.Logger
	errors   *errorMapper
	guard    *guard
	validate func(req any) error
}

func newChain(reg prometheus.Registerer, logger *slog.Logger, g *guard, validate func(any) error) *chain {
	c := &chain{
		metrics: grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram()),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "grpc_req_panics_recovered_total",
			Help: "Panics in gRPC handlers recovered into codes.Internal.",
		}),
		logger:   logger,
		errors:   &errorMapper{logger: logger},
		guard:    g,
		validate: validate,
	}
	reg.MustRegister(c.metrics, c.panics)
	return c
}

func (c *chain) serverOptions() []grpc.ServerOption {
	logOpts := []logging.Option{logging.WithLogOnEvents(logging.FinishCall)}
	recoverOpt := recovery.WithRecoveryHandlerContext(c.recovered)
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(
			c.metrics.UnaryServerInterceptor(),
			logging.UnaryServerInterceptor(interceptorLogger(c.logger), logOpts...),
			c.errors.unary,
			c.guard.unary,
			recovery.UnaryServerInterceptor(recoverOpt),
			c.unaryValidation,
		),
		grpc.ChainStreamInterceptor(
			c.metrics.StreamServerInterceptor(),
			logging.StreamServerInterceptor(interceptorLogger(c.logger), logOpts...),
			c.errors.stream,
			c.guard.stream,
			recovery.StreamServerInterceptor(recoverOpt),
			c.streamValidation,
		),
	}
}

// recovered logs the panic with its stack and hides it from the caller.
func (c *chain) recovered(ctx context.Context, p any) error {
	c.panics.Inc()
	c.logger.ErrorContext(ctx, "panic in handler", "panic", p, "stack", string(debug.Stack()))
	return status.Error(codes.Internal, "internal error")
}
