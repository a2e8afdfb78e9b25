package e2e

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plansign"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/service"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/procs"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// TestMain starts the package's sandbox and builds into its folder the
// binaries the tests run: the planner, which makes every test's plan, and
// the executor and natsd, for the tests of executor processes.
func TestMain(m *testing.M) { sandboxtest.Main(m, buildBinaries) }

// binDir holds the binaries once TestMain's set-up ran.
var binDir string

func buildBinaries(sb *sandbox.Sandbox) error {
	root, err := sandbox.RepoRoot()
	if err != nil {
		return err
	}
	binDir = filepath.Join(sb.Dir, "bin")
	return procs.Build(binDir, filepath.Join(root, "services", "planner", "cmd", "planner"),
		filepath.Join(root, "services", "executor", "cmd", "executor"),
		filepath.Join(root, "services", "executor", "internal", "e2e", "natsd"))
}

const (
	simToken = "e2e-token"
	// joinToken is what the simulator's VMs must carry in their user data
	// to join, as a cluster's bootstrap token.
	joinToken       = "e2e-join.0123456789abcdef"
	executorService = "rebalancer.v1.ExecutorService"
)

// env is one test's world: a namespace in the shared sandbox, a simulator,
// a planner, a nats-server and the Executor under test.
type env struct {
	t       testing.TB
	sb      *sandbox.Sandbox
	ns      string
	sim     *vpsiesim.Server
	cloud   *vpsie.Client
	planner *plantest.Planner
	// api is the Executor of newEnv: its composition root as it ships
	// (service.Setup), serving in this process on a loopback port, called
	// over gRPC. A process env has none: its replicas answer, each its own.
	api rebalancerv1.ExecutorServiceClient
	// watch streams an execution's events up to its final one: through api
	// in newEnv; in a process env, from the progress stream itself, as a
	// dashboard reads it, so it outlives any replica.
	watch watchFunc
	// natsURL is a process env's nats-server, which its executor processes
	// share, and kv the executions they store there.
	natsURL string
	kv      *store.KV
	// group is the NodeGroup the helpers act on; empty is the one named
	// after the namespace (see inGroup).
	group string
	// managed makes createGroup provision in the managed mode.
	managed bool
	// metricsAddr serves the in-process Executor's metrics (newEnv).
	metricsAddr string
}

// watchFunc streams an execution's events from a sequence to its final one.
type watchFunc func(ctx context.Context, id string, from uint64, handle func(*rebalancerv1.ExecutionEvent) error) error

// newEnv is a world whose Executor runs in the test's process, on an
// embedded nats-server of its own, with both roles.
func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvTrusting(t, nil)
}

// newEnvTrusting is newEnv with an Executor that runs only plans signed
// by one of planKeys (none: unsigned plans run, as without the flag).
func newEnvTrusting(t testing.TB, planKeys *plansign.Verifier) *env {
	t.Helper()
	return newEnvTuned(t, func(o *service.Options) { o.PlanKeys = planKeys })
}

// newEnvTuned is newEnv with the Executor's options changed by tune.
func newEnvTuned(t testing.TB, tune func(*service.Options)) *env {
	t.Helper()
	return newEnvFull(t, tune, func(*service.Deps) {})
}

// newEnvQuerying is newEnv with an Executor whose soaks evaluate health
// queries against the Prometheus at url (--prometheus-url).
func newEnvQuerying(t testing.TB, url string) *env {
	t.Helper()
	q, err := nodestep.NewHealthQuery(url)
	require.NoError(t, err)
	return newEnvFull(t, func(*service.Options) {}, func(d *service.Deps) { d.HealthQuery = q })
}

// newEnvFull is newEnv with the Executor's options and clients changed.
func newEnvFull(t testing.TB, tune func(*service.Options), tuneDeps func(*service.Deps)) *env {
	t.Helper()
	e := newWorld(t)
	opts := service.Options{
		NATS: service.NATS{Listen: "127.0.0.1:-1", DataDir: t.TempDir()}, NATSReplicas: 1,
		Replica: "e2e", Installation: e.ns, LeaseTTL: engine.DefaultLeaseTTL,
		Roles: engine.Roles{Execute: true, Rollback: true},
	}
	tune(&opts)
	srv := servicetest.Serve(t, server.Config{Name: "executor", Logger: testLogger(t)}, func(s *server.Server) error {
		deps := service.Deps{Kube: e.sb.Client, Groups: e.sb.Autoscaler, Cloud: e.cloud}
		tuneDeps(&deps)
		return service.Setup(s, deps, opts)
	})
	conn := servicetest.Dial(t, srv.GRPCAddr())
	servicetest.WaitHealth(t, conn, executorService, healthpb.HealthCheckResponse_SERVING)
	e.api = rebalancerv1.NewExecutorServiceClient(conn)
	e.metricsAddr = srv.MetricsAddr()
	e.watch = grpcWatch(e.api)
	return e
}

// newWorld is the env before any Executor: its namespace, a simulator
// whose VMs join the sandbox, and a planner.
func newWorld(t testing.TB) *env {
	t.Helper()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	sim, err := vpsiesim.NewServer(vpsiesim.Options{Token: simToken, BootDelay: time.Second, Kube: sb.Client, JoinToken: joinToken})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	client, err := vpsie.New(vpsie.Options{BaseURL: sim.URL, Token: simToken, OSIdentifier: "os-test"})
	require.NoError(t, err)
	planner := plantest.Start(t, filepath.Join(binDir, "planner"))
	return &env{t: t, sb: sb, ns: ns, sim: sim, cloud: client, planner: planner}
}

// testLogger shows the in-process Executor's logs with E2E_LOG set.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("E2E_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil)).With("test", t.Name())
}

// grpcWatch is WatchExecution of api, read to the end of the stream.
func grpcWatch(api rebalancerv1.ExecutorServiceClient) watchFunc {
	return func(ctx context.Context, id string, from uint64, handle func(*rebalancerv1.ExecutionEvent) error) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // ends the stream when handle stops early
		stream, err := api.WatchExecution(ctx, &rebalancerv1.WatchExecutionRequest{ExecutionId: id, FromSequence: from})
		if err != nil {
			return err
		}
		for {
			resp, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return nil // the final event came
			}
			if err != nil {
				return err
			}
			if err := handle(resp.GetEvent()); err != nil {
				return err
			}
		}
	}
}

// getExecution is GetExecution of api.
func getExecution(t testing.TB, api rebalancerv1.ExecutorServiceClient, id string) *rebalancerv1.ExecutionState {
	t.Helper()
	resp, err := api.GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: id})
	require.NoError(t, err, "GetExecution %s", id)
	return resp.GetExecution()
}

// get is the execution as the env's Executor answers for it.
func (e *env) get(id string) *rebalancerv1.ExecutionState {
	e.t.Helper()
	return getExecution(e.t, e.api, id)
}

// submit sends the plan to the env's Executor, which must accept it.
func (e *env) submit(plan *rebalancerv1.RebalancePlan) *rebalancerv1.ExecutionState {
	e.t.Helper()
	resp, err := e.api.ExecutePlan(e.t.Context(), &rebalancerv1.ExecutePlanRequest{Plan: plan})
	require.NoError(e.t, err)
	return resp.GetExecution()
}

// plan asks the planner for the plan of s on the env's group, whose policy
// it sets to s's; the group's nodes the test does not replace are
// candidates it keeps.
func (e *env) plan(s plantest.Spec) *rebalancerv1.RebalancePlan {
	e.t.Helper()
	s.Namespace, s.Group = e.ns, e.groupName()
	replaced := map[string]bool{}
	for _, n := range s.Replace {
		replaced[n.Name] = true
	}
	nodes := e.groupNodes()
	for i := range nodes {
		if !replaced[nodes[i].Name] {
			s.Keep = append(s.Keep, &nodes[i])
		}
	}
	return e.planner.Plan(e.t, e.sb.Autoscaler, s)
}

// recorder keeps the events of an execution as a watcher receives them.
type recorder struct {
	mu     sync.Mutex
	events []*rebalancerv1.ExecutionEvent
}

func (r *recorder) add(ev *rebalancerv1.ExecutionEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

func (r *recorder) all() []*rebalancerv1.ExecutionEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*rebalancerv1.ExecutionEvent(nil), r.events...)
}

// forced lists the pods the execution reported deleting past their budget.
func (r *recorder) forced() []string {
	var pods []string
	for _, ev := range r.all() {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED {
			pods = append(pods, ev.GetDetails()["pod"])
		}
	}
	return pods
}

// watchTimeout bounds a whole execution in these tests; hitting it means
// the executor hung, not that it was slow.
const watchTimeout = 3 * time.Minute

// run submits the plan and follows its events to the final one, then
// returns the final state.
func (e *env) run(plan *rebalancerv1.RebalancePlan, rec *recorder) *rebalancerv1.ExecutionState {
	e.t.Helper()
	st := e.submit(plan)
	ctx, cancel := context.WithTimeout(e.t.Context(), watchTimeout)
	defer cancel()
	require.NoError(e.t, e.watch(ctx, st.GetExecutionId(), 0, rec.add), "watching %s", st.GetExecutionId())
	return e.get(st.GetExecutionId())
}

// follow records an execution's events from the stream until its final
// event, calling on for each as it comes; the returned channel closes
// when the watch ends.
func (e *env) follow(ctx context.Context, id string, rec *recorder, on func(*rebalancerv1.ExecutionEvent)) <-chan error {
	done := make(chan error, 1)
	go func() {
		done <- e.watch(ctx, id, 0, func(ev *rebalancerv1.ExecutionEvent) error {
			on(ev)
			return rec.add(ev)
		})
	}()
	return done
}
