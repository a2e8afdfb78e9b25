package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/natsbus"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/api"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

type options struct {
	kubeconfig     string
	natsURL        string
	natsStoreDir   string
	natsListen     string
	vpsieURL       string
	vpsieTokenFile string
	vpsieOS        string
	replicaID      string
	leaseTTL       time.Duration
	roles          string
	natsReplicas   int
	installation   string
}

// setup is the Executor's composition root.
func (o *options) setup(ctx context.Context, s *server.Server) error {
	roles, err := parseRoles(o.roles)
	if err != nil {
		return err
	}
	if o.natsReplicas < 1 || o.natsReplicas > 5 {
		return fmt.Errorf("--nats-replicas %d: from 1 to 5 (JetStream's limit)", o.natsReplicas)
	}
	if o.leaseTTL < 3*time.Second/2 {
		return fmt.Errorf("--lease-ttl %s: at least 1.5s, so renewals every third of it stay apart", o.leaseTTL)
	}
	token, err := vpsie.LoadToken(o.vpsieTokenFile, "EXECUTOR_VPSIE_TOKEN_FILE", os.LookupEnv)
	if err != nil {
		return err
	}
	cloudClient, err := vpsie.New(vpsie.Options{BaseURL: o.vpsieURL, Token: token, OSIdentifier: o.vpsieOS, Logger: s.Logger()})
	if err != nil {
		return err
	}
	restConfig, err := kube.RESTConfig(o.kubeconfig, "rebalancer-executor")
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	groups, err := autoscaler.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("NodeGroup client: %w", err)
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

	grpcAPI := api.Register(s.GRPC())
	deps := engine.Deps{Kube: client, Groups: groups, Cloud: cloudClient,
		Metrics: engine.NewMetrics(s.Registry()), Logger: s.Logger(), Replica: o.replicaID, Installation: o.installation,
		LeaseTTL: o.leaseTTL, Roles: roles}
	// The stream and bucket need JetStream up; an external NATS may come
	// later, so they are opened in the background and the API answers
	// Unavailable until then.
	started := make(chan *engine.Executor, 1)
	go func() {
		e, err := openEngine(ctx, js, o.natsReplicas, deps, groups, client)
		if err != nil {
			s.Logger().Error("executor engine not started", "error", err)
			close(started)
			return
		}
		grpcAPI.Ready(e)
		started <- e
	}()
	s.OnStop(func(context.Context) error {
		if e, ok := <-started; ok {
			e.Stop()
		}
		return nil
	})
	return nil
}

// openEngine waits for JetStream, opens the event stream and the
// executions bucket, and starts the scan that claims unowned executions
// (this replica's own after a restart, and those of dead replicas).
func openEngine(ctx context.Context, js jetstream.JetStream, replicas int, deps engine.Deps,
	groups autoscaler.Interface, client kubernetes.Interface) (*engine.Executor, error) {
	var kv *store.KV
	var lastErr error
	err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		// Keep trying while JetStream is not up yet; the last error is
		// reported if the executor stops first.
		if _, lastErr = progress.EnsureStream(ctx, js, replicas); lastErr == nil {
			kv, lastErr = store.OpenKV(ctx, js, replicas)
		}
		return lastErr == nil, nil
	})
	if err != nil {
		return nil, errors.Join(err, lastErr)
	}
	deps.Store, deps.Events = kv, progress.JetStreamPublisher{JS: js}
	watch := func(ctx context.Context, id string, from uint64, handle func(*rebalancerv1.ExecutionEvent) error) error {
		return progress.Watch(ctx, js, id, from, handle)
	}
	e := engine.New(deps, accept.Checker{Kube: client, Groups: groups}, watch)
	// Nodes left marked by executions that ended or are gone are restored
	// before the scan takes over the running ones; a failure here is
	// logged and retried at the next start, it does not keep the API down.
	if err := e.Reconcile(ctx); err != nil {
		deps.Logger.Warn("start-up reconcile of marked nodes failed", "error", err)
	}
	e.Start()
	if deps.Roles.Rollback {
		handler := engine.RollbackHandler()
		handler.Logger = deps.Logger
		e.HandleFailures(func(ctx context.Context, handle func(context.Context, *rebalancerv1.ExecutionEvent) error) error {
			return progress.Consume(ctx, js, handler, handle)
		})
	}
	return e, nil
}

// parseRoles reads --roles: a comma-separated list of executor, rollback.
func parseRoles(list string) (engine.Roles, error) {
	var r engine.Roles
	for _, name := range strings.Split(list, ",") {
		switch strings.TrimSpace(name) {
		case "executor":
			r.Execute = true
		case "rollback":
			r.Rollback = true
		default:
			return r, fmt.Errorf("--roles: unknown role %q (executor, rollback)", name)
		}
	}
	return r, nil
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
