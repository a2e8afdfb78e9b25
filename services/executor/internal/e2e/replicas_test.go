package e2e

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// newProcessEnv is an env whose nats-server runs in a natsd process, for
// tests that run executor processes against it.
func newProcessEnv(t testing.TB) *env {
	t.Helper()
	e, _ := newOutageEnv(t)
	return e
}

// newOutageEnv is newProcessEnv with a handle on its natsd process, to
// kill it and start it again.
func newOutageEnv(t testing.TB) (*env, *natsd) {
	t.Helper()
	n := &natsd{t: t, dir: t.TempDir()}
	url := n.start("-1")
	_, port, err := net.SplitHostPort(strings.TrimPrefix(url, "nats://"))
	require.NoError(t, err)
	n.port = port
	t.Cleanup(n.stop)
	e := newWorld(t)
	e.natsURL = url
	nc, err := nats.Connect(url)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	_, err = progress.EnsureStream(t.Context(), js, 1)
	require.NoError(t, err)
	e.kv, err = store.OpenKV(t.Context(), js, 1)
	require.NoError(t, err)
	e.watch = func(ctx context.Context, id string, from uint64, handle func(*rebalancerv1.ExecutionEvent) error) error {
		return progress.Watch(ctx, js, id, from, handle)
	}
	return e, n
}

// record is the execution as the process env's nats-server stores it,
// to look at while no replica runs.
func (e *env) record(id string) *rebalancerv1.ExecutionState {
	e.t.Helper()
	r, err := e.kv.Get(e.t.Context(), id)
	require.NoError(e.t, err)
	return r.State
}

// natsd is the tests' nats-server process.
type natsd struct {
	t    testing.TB
	dir  string
	port string
	cmd  *exec.Cmd
}

// start runs natsd on port ("-1": a free one) and returns its URL.
func (n *natsd) start(port string) string {
	n.t.Helper()
	n.cmd = exec.Command(filepath.Join(binDir, "natsd"), n.dir, port)
	stdout, err := n.cmd.StdoutPipe()
	require.NoError(n.t, err)
	n.cmd.Stderr = os.Stderr
	require.NoError(n.t, n.cmd.Start())
	url, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(n.t, err, "natsd's URL")
	return strings.TrimSpace(url)
}

// kill ends it at once, as a crashed NATS server.
func (n *natsd) kill() {
	n.t.Helper()
	require.NoError(n.t, n.cmd.Process.Signal(syscall.SIGKILL))
	_ = n.cmd.Wait()
}

// restart starts it again on its port, over the same store.
func (n *natsd) restart() { n.start(n.port) }

func (n *natsd) stop() {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	_ = n.cmd.Wait()
}

// replica is one executor process.
type replica struct {
	id   string
	cmd  *exec.Cmd
	log  string
	api  rebalancerv1.ExecutorServiceClient
	done chan struct{}
}

// startReplica runs an executor process against the env's sandbox,
// simulator and nats-server, and waits until it serves.
func (e *env) startReplica(id, roles string, leaseTTL string) *replica {
	e.t.Helper()
	return e.startExecutor(id, "--nats-url", e.natsURL, "--lease-ttl", leaseTTL, "--roles", roles)
}

// startExecutor runs an executor process named id against the env's
// sandbox and simulator, with flags saying where its NATS is and the
// rest, and waits until it serves.
func (e *env) startExecutor(id string, flags ...string) *replica {
	e.t.Helper()
	token := filepath.Join(e.t.TempDir(), "token")
	require.NoError(e.t, os.WriteFile(token, []byte(simToken), 0o600))
	grpcAddr := servicetest.FreeAddr(e.t)
	r := &replica{id: id, log: filepath.Join(e.t.TempDir(), id+".log"), done: make(chan struct{})}
	out, err := os.Create(r.log)
	require.NoError(e.t, err)
	args := append([]string{"--grpc-addr", grpcAddr, "--metrics-addr", servicetest.FreeAddr(e.t),
		"--kubeconfig", e.sb.KubeconfigPath, "--vpsie-url", e.sim.URL,
		"--vpsie-token-file", token, "--vpsie-os-identifier", "os-test", "--replica-id", id,
		"--installation", e.ns, "--drain-period", "100ms", "--log-level", "info",
		"--auth", "none"}, flags...) // loopback only; callers here send no token
	r.cmd = exec.Command(filepath.Join(binDir, "executor"), args...)
	r.cmd.Env = servicetest.CleanEnv("EXECUTOR_", "VPSIE_")
	r.cmd.Stdout, r.cmd.Stderr = out, out
	require.NoError(e.t, r.cmd.Start())
	go func() {
		_ = r.cmd.Wait()
		_ = out.Close()
		close(r.done)
	}()
	e.t.Cleanup(func() {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		<-r.done
		if e.t.Failed() {
			b, _ := os.ReadFile(r.log)
			e.t.Logf("--- log of replica %s ---\n%s", id, tail(string(b), 6000))
		}
	})
	conn := servicetest.Dial(e.t, grpcAddr)
	servicetest.WaitHealth(e.t, conn, executorService, healthpb.HealthCheckResponse_SERVING)
	r.api = rebalancerv1.NewExecutorServiceClient(conn)
	return r
}

// kill ends the process at once, as a crash or an OOM kill would.
func (r *replica) kill(t testing.TB) {
	t.Helper()
	require.NoError(t, r.cmd.Process.Signal(syscall.SIGKILL))
	<-r.done
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
