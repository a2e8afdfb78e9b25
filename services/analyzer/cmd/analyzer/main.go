// Command analyzer serves rebalancer.v1.AnalyzerService: which nodes of a
// group to replace, whether it is safe now and in what order. It only
// reads: the cluster through informer caches (a kubeconfig, or a service
// account in a cluster) and the VPSie catalogue (a token).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // maintenance windows name IANA zones; images often lack the database

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/libs/config"
	"github.com/vpsie/node-rebalancer/libs/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "analyzer:", err)
		os.Exit(1)
	}
}

// options are the Analyzer's own flags, beside the serving ones.
type options struct {
	kubeconfig       string
	vpsieURL         string
	vpsieTokenFile   string
	vpsieOS          string
	catalogueRefresh time.Duration
	scaleUpCooldown  time.Duration
}

func (o *options) flags(f *config.Flags) {
	f.StringFromEnv(&o.kubeconfig, "kubeconfig", "KUBECONFIG", "", "kubeconfig path; empty means in-cluster")
	f.String(&o.vpsieURL, "vpsie-url", vpsie.DefaultBaseURL, "VPSie API base URL")
	f.String(&o.vpsieTokenFile, "vpsie-token-file", "", "file holding the VPSie API token (a mounted Secret); else $"+vpsie.TokenEnv)
	f.String(&o.vpsieOS, "vpsie-os-identifier", "", "VPSie OS image identifier of the group's nodes; VPSie prices plans per image")
	f.Duration(&o.catalogueRefresh, "catalogue-refresh", 5*time.Minute, "time between refreshes of the VPSie catalogue and quota")
	f.Duration(&o.scaleUpCooldown, "scale-up-cooldown", 10*time.Minute, "how long after a node joins its group counts as recent scaling (0 turns the check off)")
}

func run(ctx context.Context, args []string) error {
	var o options
	return server.Run(ctx, server.Program{
		Name:      "analyzer",
		EnvPrefix: "ANALYZER",
		Flags:     o.flags,
		Setup:     o.setup,
	}, args)
}
