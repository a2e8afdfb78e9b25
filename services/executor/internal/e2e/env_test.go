package e2e

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/natsbus"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

const simToken = "e2e-token"

// env is one test's world: a namespace in the shared sandbox, a simulator,
// a nats-server and an Executor wired to them.
type env struct {
	t     testing.TB
	sb    *sandbox.Sandbox
	ns    string
	sim   *vpsiesim.Server
	cloud *vpsie.Client
	js    jetstream.JetStream
	exec  *engine.Executor
	// natsURL is the nats-server's, for executor processes to share.
	natsURL string
	// group is the NodeGroup the helpers act on; empty is the one named
	// after the namespace (see inGroup).
	group string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	srv, err := natsbus.StartEmbedded("127.0.0.1", -1, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	return newEnvOn(t, srv.URL())
}

// newEnvOn is newEnv over the nats-server at natsURL.
func newEnvOn(t testing.TB, natsURL string) *env {
	t.Helper()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	sim, err := vpsiesim.NewServer(vpsiesim.Options{Token: simToken, BootDelay: time.Second, Kube: sb.Client})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	client, err := vpsie.New(vpsie.Options{BaseURL: sim.URL, Token: simToken, OSIdentifier: "os-test"})
	require.NoError(t, err)
	nc, err := nats.Connect(natsURL)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	_, err = progress.EnsureStream(t.Context(), js, 1)
	require.NoError(t, err)
	kv, err := store.OpenKV(t.Context(), js, 1)
	require.NoError(t, err)
	logger := slog.New(slog.DiscardHandler)
	if os.Getenv("E2E_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil)).With("test", t.Name())
	}
	exec := engine.New(engine.Deps{
		Kube: sb.Client, Groups: sb.Autoscaler, Cloud: client, Store: kv,
		Events: progress.JetStreamPublisher{JS: js}, Logger: logger, Replica: "e2e", Installation: ns,
	}, accept.Checker{Kube: sb.Client, Groups: sb.Autoscaler},
		func(ctx context.Context, id string, from uint64, h func(*rebalancerv1.ExecutionEvent) error) error {
			return progress.Watch(ctx, js, id, from, h)
		})
	t.Cleanup(exec.Stop)
	return &env{t: t, sb: sb, ns: ns, sim: sim, cloud: client, js: js, exec: exec, natsURL: natsURL}
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
	st, err := e.exec.Execute(e.t.Context(), plan, "e2e")
	require.NoError(e.t, err)
	ctx, cancel := context.WithTimeout(e.t.Context(), watchTimeout)
	defer cancel()
	require.NoError(e.t, e.exec.Watch(ctx, st.GetExecutionId(), 0, rec.add), "watching %s", st.GetExecutionId())
	final, err := e.exec.Get(e.t.Context(), st.GetExecutionId())
	require.NoError(e.t, err)
	return final
}
