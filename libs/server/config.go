// Package server runs a rebalancer service: a gRPC server with the shared
// interceptor chain, health checking and reflection, and an HTTP server for
// metrics and probes, with a shutdown sequence fit for Kubernetes.
package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
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
	// Auth says who may call: AuthKubernetes (tokens reviewed and calls
	// authorized by the cluster) or AuthNone (anyone, loopback only). The
	// zero value is AuthNone, for tests building a Config in Go; the
	// --auth flag defaults to AuthKubernetes.
	Auth string
	// AuthCacheTTL is how long a TokenReview or SubjectAccessReview answer
	// is reused; AuthCacheSize bounds how many are kept. Zero means the
	// defaults (DefaultAuthCacheTTL, DefaultAuthCacheSize).
	AuthCacheTTL  time.Duration
	AuthCacheSize int
	// TLS is the server's certificate and, for mutual TLS, the CA of its
	// clients' certificates; empty serves plaintext.
	TLS TLSFiles
	// Limits bound what one caller or connection may take; zero fields
	// take the defaults of DefaultLimits.
	Limits Limits
}

// The values of --auth.
const (
	AuthKubernetes = "kubernetes"
	AuthNone       = "none"
)

// DefaultAuthFlag is the default of --auth: a binary serves no anonymous
// caller unless told so (the demo and tests pass --auth=none on loopback).
const DefaultAuthFlag = AuthKubernetes

// Defaults of the authentication caches.
const (
	DefaultAuthCacheTTL  = 30 * time.Second
	DefaultAuthCacheSize = 4096
)

// RegisterFlags declares the serving flags shared by every service.
func (c *Config) RegisterFlags(f *config.Flags) {
	f.String(&c.GRPCAddr, "grpc-addr", ":9090", "gRPC listen address")
	f.String(&c.MetricsAddr, "metrics-addr", ":8080", "HTTP listen address for /metrics, /healthz and /readyz")
	f.Duration(&c.DrainPeriod, "drain-period", 5*time.Second, "time spent NOT_SERVING before stopping on SIGTERM")
	f.Duration(&c.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "longest wait for in-flight calls at shutdown")
	f.String(&c.LogFormat, "log-format", "json", "log format: json or text")
	f.String(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.String(&c.Auth, "auth", DefaultAuthFlag, "who may call: kubernetes (bearer tokens checked by TokenReview or verified client certificates, every call authorized by SubjectAccessReview) or none (anyone; only when every listener is on loopback)")
	f.Duration(&c.AuthCacheTTL, "auth-cache-ttl", DefaultAuthCacheTTL, "how long a TokenReview or SubjectAccessReview answer is reused")
	f.Int(&c.AuthCacheSize, "auth-cache-size", DefaultAuthCacheSize, "most TokenReview and SubjectAccessReview answers kept (each)")
	c.TLS.registerFlags(f)
	c.Limits.registerFlags(f)
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
	case c.AuthCacheTTL < 0:
		return errors.New("--auth-cache-ttl must not be negative")
	case c.AuthCacheSize < 0:
		return errors.New("--auth-cache-size must not be negative")
	}
	if _, err := NewLogger(c.LogFormat, c.LogLevel, nil); err != nil {
		return err
	}
	if err := c.checkAuth(); err != nil {
		return err
	}
	if err := c.TLS.check(); err != nil {
		return err
	}
	return c.Limits.check()
}

// checkAuth refuses an unknown --auth, and anonymous access on any
// listener another host could reach.
func (c *Config) checkAuth() error {
	switch c.Auth {
	case AuthKubernetes:
		return nil
	case AuthNone, "":
	default:
		return fmt.Errorf("--auth %q: want %s or %s", c.Auth, AuthKubernetes, AuthNone)
	}
	for _, l := range []struct{ flag, addr string }{{"--grpc-addr", c.GRPCAddr}, {"--metrics-addr", c.MetricsAddr}} {
		if !loopback(l.addr) {
			return fmt.Errorf("--auth=none lets anyone call, so every listener must be on loopback, and %s %q is not: "+
				"use 127.0.0.1:<port>, or --auth=kubernetes", l.flag, l.addr)
		}
	}
	return nil
}

// loopback reports whether addr (host:port) listens on loopback only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// authMode is the effective --auth: the zero value is none.
func (c *Config) authMode() string {
	if c.Auth == "" {
		return AuthNone
	}
	return c.Auth
}
