// Package server runs a rebalancer service: a gRPC server with the shared
// interceptor chain, health checking and reflection, and an HTTP server for
// metrics and probes, with a shutdown sequence fit for Kubernetes.
package server

import (
	"errors"
	"log/slog"
	"time"

	"github.com/vpsie/node-rebalancer/libs/config"
)

// Config is what every service needs to serve.
type Config struct {
	// Name of the service, e.g. "planner"; used in logs.
	Name string
	// GRPCAddr is the gRPC listen address.
	GRPCAddr string
	// MetricsAddr is the HTTP listen address for /metrics, /healthz and /readyz.
	MetricsAddr string
	// DrainPeriod is how long the service reports NOT_SERVING before it stops
	// accepting calls, so load balancers and clients move away first.
	DrainPeriod time.Duration
	// ShutdownTimeout bounds GracefulStop; in-flight calls are then cut.
	ShutdownTimeout time.Duration
	// LogFormat is "json" or "text"; LogLevel is "debug", "info", "warn" or "error".
	LogFormat, LogLevel string
	// Logger receives the service's logs; built from LogFormat and LogLevel when nil.
	Logger *slog.Logger
	// Validate checks a request message; its error becomes InvalidArgument.
	Validate func(req any) error
}

// RegisterFlags declares the serving flags shared by every service.
func (c *Config) RegisterFlags(f *config.Flags) {
	f.String(&c.GRPCAddr, "grpc-addr", ":9090", "gRPC listen address")
	f.String(&c.MetricsAddr, "metrics-addr", ":8080", "HTTP listen address for /metrics, /healthz and /readyz")
	f.Duration(&c.DrainPeriod, "drain-period", 5*time.Second, "time spent NOT_SERVING before stopping on SIGTERM")
	f.Duration(&c.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "longest wait for in-flight calls at shutdown")
	f.String(&c.LogFormat, "log-format", "json", "log format: json or text")
	f.String(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
}

// Check reports the first invalid setting.
func (c *Config) Check() error {
	switch {
	case c.Name == "":
		return errors.New("server: a name is required")
	case c.GRPCAddr == "":
		return errors.New("--grpc-addr is required")
	case c.MetricsAddr == "":
		return errors.New("--metrics-addr is required")
	case c.DrainPeriod < 0:
		return errors.New("--drain-period must not be negative")
	case c.ShutdownTimeout <= 0:
		return errors.New("--shutdown-timeout must be positive")
	}
	_, err := NewLogger(c.LogFormat, c.LogLevel, nil)
	return err
}
