// Command analyzer serves rebalancer.v1.AnalyzerService: which nodes of a
// group to replace, whether it is safe now and in what order. It only reads
// the cluster, so it needs a kubeconfig (or a service account in a cluster).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/client-go/kubernetes"

	"github.com/vpsie/node-rebalancer/libs/config"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/api"
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

type options struct {
	kubeconfig string
}

func run(ctx context.Context, args []string) error {
	var o options
	return server.Run(ctx, server.Program{
		Name:      "analyzer",
		EnvPrefix: "ANALYZER",
		Flags: func(f *config.Flags) {
			f.StringFromEnv(&o.kubeconfig, "kubeconfig", "KUBECONFIG", "", "kubeconfig path; empty means in-cluster")
		},
		Setup: o.setup,
	}, args)
}

// setup is the Analyzer's composition root.
func (o *options) setup(_ context.Context, s *server.Server) error {
	restConfig, err := kube.RESTConfig(o.kubeconfig, "rebalancer-analyzer")
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	s.Depend(server.Dependency{Name: "kubernetes", Check: kube.Readyz(client)})
	api.Register(s.GRPC())
	return nil
}
