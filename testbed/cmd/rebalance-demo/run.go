package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"github.com/vpsie/node-rebalancer/testbed/demo"
)

// run parses the flags, plays the demo and judges it.
func run(ctx context.Context, args []string) error {
	cfg, err := parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil // the flag package printed the usage
	}
	if err != nil {
		return err
	}
	if cfg.LogDir, err = os.MkdirTemp("", "rebalance-demo-"); err != nil {
		return err
	}
	fmt.Printf("rebalance-demo: group %s, %d nodes, strategy %s, provisioning %s; logs in %s\n",
		cfg.Namespace, cfg.Nodes, cfg.Strategy, cfg.Mode, cfg.LogDir)
	start := time.Now()
	sum, err := demo.Run(ctx, cfg)
	if cfg.Hold {
		return err // Ctrl-C is how a held environment ends
	}
	if ctx.Err() != nil {
		// Run has stopped every process it started by now.
		return fmt.Errorf("interrupted; everything the demo started is stopped (%w)", err)
	}
	if err != nil {
		return err
	}
	fmt.Printf("demo wall time %s\n\n", time.Since(start).Round(100*time.Millisecond))
	fmt.Println(sum.Line())
	if !sum.OK() {
		return errors.New("the rebalance did not hold; see the lines above and the logs")
	}
	return nil
}

// parse reads the flags, each with a variable of the same name as the
// Makefile's (STRATEGY, NODES) as fallback.
func parse(args []string) (demo.Config, error) {
	fs := flag.NewFlagSet("rebalance-demo", flag.ContinueOnError)
	cfg := demo.Config{Namespace: "web", BootDelay: 2 * time.Second, Out: os.Stdout}
	fs.StringVar(&cfg.Strategy, "strategy", envOr("STRATEGY", "rolling"), "rolling, surge or blue-green (env STRATEGY)")
	fs.StringVar(&cfg.Mode, "mode", envOr("MODE", demo.ModeManaged),
		"managed (nodes of a VPSie Managed Kubernetes cluster) or vm (VMs booted with the group's user data) (env MODE)")
	fs.IntVar(&cfg.Nodes, "nodes", 6, "nodes in the group, every one replaced (env NODES)")
	fs.StringVar(&cfg.BinDir, "bin-dir", "bin", "folder holding vpsie-sim, analyzer, planner and executor")
	fs.DurationVar(&cfg.Timeout, "timeout", 15*time.Minute, "bound on the rebalance itself")
	fs.BoolVar(&cfg.Hold, "hold", false, "set the group and services up on fixed ports (analyzer 9090, planner 9091, executor 9092), then wait for Ctrl-C instead of rebalancing")
	if v := os.Getenv("NODES"); v != "" {
		if err := fs.Set("nodes", v); err != nil {
			return cfg, fmt.Errorf("NODES: %w", err)
		}
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	bin, err := filepath.Abs(cfg.BinDir)
	if err != nil {
		return cfg, err
	}
	cfg.BinDir = bin
	cfg.Terminal = term.IsTerminal(int(os.Stdout.Fd()))
	if cfg.Terminal {
		cfg.Width, _, _ = term.GetSize(int(os.Stdout.Fd()))
	}
	return cfg, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
