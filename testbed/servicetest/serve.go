package servicetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	"github.com/vpsie/node-rebalancer/libs/server"
)

// Serve runs a service in the test's process as its binary would: setup
// (the service's composition root) registers it on a libs/server Server
// with the shared interceptor chain and request validation, which then
// serves gRPC and metrics on loopback ports the kernel picks. The server
// stops when the test ends, and must stop without error.
//
// cfg needs only a Name; unset addresses, shutdown timeout, log settings
// and validator get test defaults (ports picked at listen, 5 s, text at
// error level, apivalidate.Request). Set cfg.Logger to see the logs.
func Serve(t testing.TB, cfg server.Config, setup func(*server.Server) error) *server.Server {
	t.Helper()
	cfg = withTestDefaults(cfg)
	srv, err := server.New(cfg)
	require.NoError(t, err)
	require.NoError(t, setup(srv))
	require.NoError(t, srv.Listen())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done, "%s stops cleanly", cfg.Name)
	})
	return srv
}

func withTestDefaults(cfg server.Config) server.Config {
	if cfg.GRPCAddr == "" {
		cfg.GRPCAddr = "127.0.0.1:0"
	}
	if cfg.MetricsAddr == "" {
		cfg.MetricsAddr = "127.0.0.1:0"
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 5 * time.Second
	}
	if cfg.LogFormat == "" {
		cfg.LogFormat = "text"
	}
	if cfg.LogLevel == "" {
		cfg.LogLevel = "error"
	}
	if cfg.Validate == nil {
		cfg.Validate = apivalidate.Request
	}
	return cfg
}
