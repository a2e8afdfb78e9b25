package e2e

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// binaries are the executor and natsd, built once from source (without
// -race: they are the system under test's processes, not the test's).
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
	buildOut  []byte
)

func binary(t testing.TB, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "executor-bin-*"); buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", binDir+string(filepath.Separator), "./cmd/executor", "./internal/e2e/natsd")
		cmd.Dir = filepath.Join("..", "..")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	require.NoError(t, buildErr, string(buildOut))
	return filepath.Join(binDir, name)
}

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
	return newEnvOn(t, url), n
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
	n.cmd = exec.Command(binary(n.t, "natsd"), n.dir, port)
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
	token := filepath.Join(e.t.TempDir(), "token")
	require.NoError(e.t, os.WriteFile(token, []byte(simToken), 0o600))
	grpcAddr := servicetest.FreeAddr(e.t)
	r := &replica{id: id, log: filepath.Join(e.t.TempDir(), id+".log"), done: make(chan struct{})}
	out, err := os.Create(r.log)
	require.NoError(e.t, err)
	r.cmd = exec.Command(binary(e.t, "executor"), "--grpc-addr", grpcAddr, "--metrics-addr", servicetest.FreeAddr(e.t),
		"--kubeconfig", e.sb.KubeconfigPath, "--nats-url", e.natsURL, "--vpsie-url", e.sim.URL,
		"--vpsie-token-file", token, "--vpsie-os-identifier", "os-test", "--replica-id", id,
		"--lease-ttl", leaseTTL, "--roles", roles, "--installation", e.ns, "--drain-period", "100ms", "--log-level", "info")
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
	servicetest.WaitHealth(e.t, conn, "rebalancer.v1.ExecutorService", healthpb.HealthCheckResponse_SERVING)
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

// follow records an execution's events from the stream until its final
// event, calling on for each as it comes; the returned channel closes
// when the watch ends.
func (e *env) follow(ctx context.Context, id string, rec *recorder, on func(*rebalancerv1.ExecutionEvent)) <-chan error {
	done := make(chan error, 1)
	go func() {
		done <- e.exec.Watch(ctx, id, 0, func(ev *rebalancerv1.ExecutionEvent) error {
			on(ev)
			return rec.add(ev)
		})
	}()
	return done
}
