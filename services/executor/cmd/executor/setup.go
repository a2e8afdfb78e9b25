package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"k8s.io/client-go/kubernetes"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/natsbus"
	"github.com/vpsie/node-rebalancer/libs/plansign"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/service"
)

// options are the Executor's own flags, beside the serving ones.
type options struct {
	kubeconfig        string
	natsURL           string
	natsStoreDir      string
	dataDir           string
	ephemeralStore    bool
	reconcileInterval time.Duration
	orphanGrace       time.Duration
	natsListen        string
	vpsieURL          string
	prometheusURL     string
	vpsieTokenFile    string
	vpsieOS           string
	replicaID         string
	leaseTTL          time.Duration
	roles             string
	natsReplicas      int
	installation      string
	natsSecurity      natsbus.Security
	maxPlanAge        time.Duration
	planKeyFiles      []string
	kubeQPS           int
	kubeBurst         int
}

// The Kubernetes client's rate limits by default. client-go's own (5/s,
// burst 10) throttle a rebalance of many lanes: every lane's waits, floor
// checks, evictions and rollouts share the one client, and a hundred-node
// group at max concurrent 10 asks for tens of requests per second. Like
// Karpenter's, these leave the API server's priority and fairness to
// protect it.
const (
	defaultKubeQPS   = 100
	defaultKubeBurst = 200
)

// checkKubeLimits refuses limits that would stall the client.
func (o *options) checkKubeLimits() error {
	if o.kubeQPS < 1 {
		return fmt.Errorf("--kube-qps %d: want at least 1", o.kubeQPS)
	}
	if o.kubeBurst < o.kubeQPS {
		return fmt.Errorf("--kube-burst %d: want at least --kube-qps (%d)", o.kubeBurst, o.kubeQPS)
	}
	return nil
}

// setup builds the Executor's clients and hands them to its composition
// root: configuration first (a mistake there ends the program at once, in
// one line), then the clients, then the service.
func (o *options) setup(_ context.Context, s *server.Server) error {
	roles, err := service.ParseRoles(o.roles)
	if err != nil {
		return err
	}
	if o.natsStoreDir != "" {
		s.Logger().Warn("--nats-store-dir is deprecated: use --data-dir", "data_dir", o.natsStoreDir)
		o.dataDir = o.natsStoreDir
	}
	opts := service.Options{
		NATS: service.NATS{URL: o.natsURL, Listen: o.natsListen, DataDir: o.dataDir, Ephemeral: o.ephemeralStore,
			Security: o.natsSecurity},
		NATSReplicas: o.natsReplicas, Replica: o.replicaID, Installation: o.installation,
		LeaseTTL: o.leaseTTL, Roles: roles, MaxPlanAge: o.maxPlanAge,
		Reconcile: engine.ReconcileSettings{Interval: o.reconcileInterval, OrphanGrace: o.orphanGrace},
	}
	if err := opts.Check(); err != nil {
		return err
	}
	if err := o.checkKubeLimits(); err != nil {
		return err
	}
	if opts.PlanKeys, err = plansign.LoadVerifier(o.planKeyFiles...); err != nil {
		return fmt.Errorf("--plan-public-key-file: %w", err)
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
	restConfig.QPS, restConfig.Burst = float32(o.kubeQPS), o.kubeBurst
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	// Its own service account reviews callers' tokens and calls (--auth).
	s.UseKubernetesAuth(client)
	groups, err := autoscaler.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("NodeGroup client: %w", err)
	}
	deps := service.Deps{Kube: client, Groups: groups, Cloud: cloudClient}
	if o.prometheusURL != "" {
		if deps.HealthQuery, err = nodestep.NewHealthQuery(o.prometheusURL); err != nil {
			return fmt.Errorf("--prometheus-url: %w", err)
		}
	}
	return service.Setup(s, deps, opts)
}
