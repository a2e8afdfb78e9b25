// Command executor serves rebalancer.v1.ExecutorService: it runs plans
// against the cluster and VPSie and publishes progress on NATS. It needs a
// kubeconfig (or a service account) and NATS with JetStream; without
// --nats-url it starts an embedded nats-server.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/libs/config"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/services/executor/internal/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "executor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	var o options
	return server.Run(ctx, server.Program{
		Name:      "executor",
		EnvPrefix: "EXECUTOR",
		Flags:     o.flags,
		Setup:     o.setup,
	}, args)
}

func (o *options) flags(f *config.Flags) {
	f.StringFromEnv(&o.kubeconfig, "kubeconfig", "KUBECONFIG", "", "kubeconfig path; empty means in-cluster")
	f.Int(&o.kubeQPS, "kube-qps", defaultKubeQPS, "requests per second the Kubernetes client may send on average (client-go's default of 5 throttles lanes)")
	f.Int(&o.kubeBurst, "kube-burst", defaultKubeBurst, "requests the Kubernetes client may send at once above --kube-qps; at least --kube-qps")
	f.String(&o.natsURL, "nats-url", "", "NATS server URL; empty starts an embedded nats-server")
	f.String(&o.dataDir, "data-dir", service.DefaultDataDir(os.Getenv), "folder the embedded nats-server keeps executions and events in, across restarts (a volume in a pod); unused with --nats-url")
	f.Bool(&o.ephemeralStore, "ephemeral-store", false, "keep the embedded nats-server's executions in a temporary folder instead of --data-dir: they are lost when the process stops (throwaway tests only)")
	f.String(&o.natsStoreDir, "nats-store-dir", "", "deprecated: use --data-dir, which it overrides when set")
	f.String(&o.natsListen, "nats-listen", "127.0.0.1:-1", "host:port of the embedded nats-server; port -1 picks a free one")
	o.natsSecurity.RegisterFlags(f)
	f.String(&o.prometheusURL, "prometheus-url", "", "Prometheus the soaks evaluate the groups' health queries against (spec.rebalancing.healthGate); empty: a soak of a group that sets one fails closed")
	f.String(&o.vpsieURL, "vpsie-url", vpsie.DefaultBaseURL, "VPSie API base URL")
	f.String(&o.vpsieTokenFile, "vpsie-token-file", "", "file holding the VPSie API token; empty reads VPSIE_TOKEN")
	f.String(&o.vpsieOS, "vpsie-os-identifier", "ubuntu-24.04-k8s", "VPSie image new nodes boot")
	f.String(&o.replicaID, "replica-id", defaultReplicaID(), "name of this executor replica, recorded as an execution's owner and lease holder")
	f.Duration(&o.leaseTTL, "lease-ttl", engine.DefaultLeaseTTL, "how long an execution's lease lasts unrenewed; another replica takes the execution over after it")
	f.String(&o.installation, "installation", engine.DefaultInstallation, "name of this executor installation, noted on the nodes it marks; installations sharing a cluster need distinct names (no \"/\"), so one's reconciler leaves the other's nodes and VMs alone")
	f.Int(&o.natsReplicas, "nats-replicas", 1, "servers of the NATS cluster keeping the executor's stream and bucket (1 to 5; at most the cluster's size)")
	f.Strings(&o.planKeyFiles, "plan-public-key-file", "Planner public key (PEM PKIX Ed25519, one or more per file) or a directory of them; plans must be signed by one; none: unsigned plans are accepted, with a warning")
	f.String(&o.roles, "roles", "executor,rollback", "roles this process runs: executor (runs plans), rollback (carries out rollbacks), or both")
	f.Duration(&o.reconcileInterval, "reconcile-interval", engine.DefaultReconcileInterval, "how often the reconciler (one replica at a time, under a lease) looks for leftovers: orphan replacements, stale cordons and group locks, failed rollbacks")
	f.Duration(&o.orphanGrace, "orphan-grace", engine.DefaultOrphanGrace, "how long a replacement whose execution is missing or ended without keeping it stands before the reconciler deletes (or adopts) it")
	f.Duration(&o.maxPlanAge, "max-plan-age", engine.DefaultMaxPlanAge, "how old a plan may be, from its analysis, when it starts (accepted without approval, or approved); an older plan is refused")
}

// defaultReplicaID is the host name: one replica per pod in production.
func defaultReplicaID() string {
	h, err := os.Hostname()
	if err != nil {
		return "executor"
	}
	return h
}
