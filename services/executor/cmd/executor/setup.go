package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/nats-io/nats.go/jetstream"
	"k8s.io/client-go/kubernetes"

	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/natsbus"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/api"
)

type options struct {
	kubeconfig   string
	natsURL      string
	natsStoreDir string
	natsListen   string
}

// setup is the Executor's composition root.
func (o *options) setup(_ context.Context, s *server.Server) error {
	restConfig, err := kube.RESTConfig(o.kubeconfig, "rebalancer-executor")
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	url, err := o.natsServer(s)
	if err != nil {
		return err
	}
	nc, err := natsbus.Connect(url, "rebalancer-executor")
	if err != nil {
		return err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("JetStream: %w", err)
	}
	// Drain after gRPC stopped, so in-flight publishes are flushed, but
	// before the embedded server (registered earlier, so it runs later) goes.
	s.OnStop(func(context.Context) error { return nc.Drain() })
	s.Depend(server.Dependency{Name: "kubernetes", Check: kube.Readyz(client)})
	s.Depend(server.Dependency{Name: "nats", Check: natsbus.Ready(nc, js)})
	api.Register(s.GRPC())
	return nil
}

// natsServer returns the NATS URL to use, starting the embedded server when
// none is configured.
func (o *options) natsServer(s *server.Server) (string, error) {
	if o.natsURL != "" {
		return o.natsURL, nil
	}
	host, portText, err := net.SplitHostPort(o.natsListen)
	if err != nil {
		return "", fmt.Errorf("--nats-listen: %w", err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return "", fmt.Errorf("--nats-listen: port %q: %w", portText, err)
	}
	dir := o.natsStoreDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "executor-jetstream-*"); err != nil {
			return "", err
		}
	}
	embedded, err := natsbus.StartEmbedded(host, port, dir)
	if err != nil {
		return "", err
	}
	s.Logger().Info("embedded NATS started", "url", embedded.URL(), "store", dir)
	s.OnStop(func(context.Context) error {
		embedded.Stop()
		if o.natsStoreDir == "" {
			return os.RemoveAll(dir)
		}
		return nil
	})
	return embedded.URL(), nil
}
