package server

import (
	"context"
	"errors"
	"flag"

	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	"github.com/vpsie/node-rebalancer/libs/config"
)

// Program is one service binary: its flags and its composition root.
type Program struct {
	// Name of the service, e.g. "planner".
	Name string
	// EnvPrefix of the variables its flags fall back to, e.g. "PLANNER".
	EnvPrefix string
	// Flags declares the service's own flags.
	Flags func(f *config.Flags)
	// Setup checks the service's configuration (a mistake there ends the
	// program at once), then registers its gRPC services and dependencies.
	// Anything it starts must stop when ctx ends or through Server.OnStop.
	Setup func(ctx context.Context, s *Server) error
}

// Run parses args, builds the server, runs Setup and serves until ctx ends.
// -h prints the flags and returns nil.
func Run(ctx context.Context, p Program, args []string) error {
	cfg := Config{Name: p.Name, Validate: apivalidate.Request}
	f := config.New(p.Name, p.EnvPrefix)
	cfg.RegisterFlags(f)
	if p.Flags != nil {
		p.Flags(f)
	}
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	srv, err := New(cfg)
	if err != nil {
		return err
	}
	if err := p.Setup(ctx, srv); err != nil {
		return err
	}
	return srv.Run(ctx)
}
