package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/procs"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// binDir holds the Planner and Executor binaries; the package's TestMain
// builds them there before any measurement.
var binDir string

const (
	simToken  = "bench-token"
	joinToken = "bench1.0123456789abcdef"
)

// world is one measurement's processes: the shared sandbox, a simulator
// in this process, a nats-server in this process, the Planner and the
// Executor as binaries, the Executor reaching the API server through a
// counting proxy.
type world struct {
	sb       *sandbox.Sandbox
	sim      *vpsiesim.Server
	planner  *plantest.Planner
	proxy    *kubeProxy
	executor *procs.Child
	api      rebalancerv1.ExecutorServiceClient
}

// newWorld starts a world for cfg whose Executor keeps its records on
// natsURL.
func newWorld(t testing.TB, sb *sandbox.Sandbox, cfg Config, namespace string) *world {
	t.Helper()
	quota := cloud.Quota{MaxVMs: 4 * cfg.Nodes, MaxCPU: 64 * cfg.Nodes, MaxRAMMB: 128 << 10 * cfg.Nodes}
	sim, err := vpsiesim.NewServer(vpsiesim.Options{Token: simToken, BootDelay: cfg.Boot, Kube: sb.Client,
		JoinToken: joinToken, Quota: quota})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	proxy, err := startKubeProxy(sb.RESTConfig)
	require.NoError(t, err)
	t.Cleanup(proxy.close)
	w := &world{sb: sb, sim: sim, proxy: proxy, planner: plantest.Start(t, filepath.Join(binDir, "planner"))}
	w.startExecutor(t, startNATS(t), namespace)
	return w
}

// startNATS runs a nats-server with JetStream in this process.
func startNATS(t testing.TB) string {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	require.NoError(t, err)
	ns.Start()
	require.True(t, ns.ReadyForConnections(10*time.Second), "nats-server ready")
	t.Cleanup(ns.Shutdown)
	return ns.ClientURL()
}

// startExecutor runs the executor binary with the flags it ships with,
// its client sized by the defaults, and waits until it serves.
func (w *world) startExecutor(t testing.TB, natsURL, installation string) {
	t.Helper()
	dir := t.TempDir()
	kubeconfig, err := w.proxy.kubeconfig(dir)
	require.NoError(t, err)
	token := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(token, []byte(simToken), 0o600))
	grpcAddr := servicetest.FreeAddr(t)
	w.executor, err = procs.Start(procs.Command{Name: "executor", Binary: filepath.Join(binDir, "executor"), LogDir: dir, Args: []string{
		"--grpc-addr", grpcAddr, "--metrics-addr", servicetest.FreeAddr(t), "--kubeconfig", kubeconfig,
		"--nats-url", natsURL, "--vpsie-url", w.sim.URL, "--vpsie-token-file", token, "--vpsie-os-identifier", "os-bench",
		"--installation", installation, "--drain-period", "100ms", "--log-level", "warn", "--auth", "none",
	}})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- log of the executor ---\n%s", w.executor.Tail(60))
		}
		_ = w.executor.Stop(10 * time.Second)
	})
	conn := servicetest.Dial(t, grpcAddr)
	servicetest.WaitHealth(t, conn, rebalancerv1.ExecutorService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	w.api = rebalancerv1.NewExecutorServiceClient(conn)
}

// peakMemoryMiB is the Executor's peak resident memory so far (VmHWM).
func (w *world) peakMemoryMiB() (float64, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(w.executor.Pid()), "status"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kib / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", w.executor.Pid())
}
