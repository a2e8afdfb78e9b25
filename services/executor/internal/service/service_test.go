package service_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/services/executor/internal/service"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

func validOptions(t *testing.T) service.Options {
	return service.Options{
		NATS:         service.NATS{Listen: "127.0.0.1:-1", DataDir: t.TempDir()},
		NATSReplicas: 1, Replica: "replica-a", LeaseTTL: engine.DefaultLeaseTTL,
		Roles: engine.Roles{Execute: true, Rollback: true},
	}
}

func TestOptionsCheckNamesTheFlag(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit func(*service.Options)
		want string
	}{
		"no role":                       {func(o *service.Options) { o.Roles = engine.Roles{} }, "--roles"},
		"no NATS replica":               {func(o *service.Options) { o.NATSReplicas = 0 }, "--nats-replicas"},
		"more NATS replicas than 5":     {func(o *service.Options) { o.NATSReplicas = 6 }, "--nats-replicas"},
		"a lease shorter than 1.5 s":    {func(o *service.Options) { o.LeaseTTL = time.Second }, "--lease-ttl"},
		"no replica name":               {func(o *service.Options) { o.Replica = "" }, "--replica-id"},
		"a negative plan age":           {func(o *service.Options) { o.MaxPlanAge = -time.Minute }, "--max-plan-age"},
		"an embedded listen sans port":  {func(o *service.Options) { o.NATS.Listen = "nowhere" }, "--nats-listen"},
		"NATS credentials sans a URL":   {func(o *service.Options) { o.NATS.Security.NKeyFile = "user.nk" }, "--nats-nkey-file"},
		"a NATS certificate sans key":   {func(o *service.Options) { o.NATS.URL, o.NATS.Security.TLSCertFile = "nats://x:4222", "c" }, "--nats-tls-cert-file"},
		"an embedded port not a number": {func(o *service.Options) { o.NATS.Listen = "127.0.0.1:x" }, "--nats-listen"},
	}
	require.NoError(t, validOptions(t).Check())
	external := validOptions(t)
	external.NATS = service.NATS{URL: "nats://127.0.0.1:4222"}
	require.NoError(t, external.Check(), "an external server needs no listen address")
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			o := validOptions(t)
			tc.edit(&o)
			err := o.Check()
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), tc.want), err.Error())
		})
	}
}

func TestParseRolesReadsTheFlag(t *testing.T) {
	t.Parallel()
	for list, want := range map[string]engine.Roles{
		"executor,rollback":  {Execute: true, Rollback: true},
		"executor":           {Execute: true},
		" rollback ":         {Rollback: true},
		"rollback, executor": {Execute: true, Rollback: true},
	} {
		got, err := service.ParseRoles(list)
		require.NoError(t, err, list)
		require.Equal(t, want, got, list)
	}
	for _, bad := range []string{"executor,janitor", "", "executor,"} {
		_, err := service.ParseRoles(bad)
		require.ErrorContains(t, err, "--roles: unknown role", bad)
	}
}

// A bad option is refused before anything starts.
func TestSetupRefusesBadOptionsBeforeStartingAnything(t *testing.T) {
	t.Parallel()
	srv, err := server.New(server.Config{Name: "executor", GRPCAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
		ShutdownTimeout: time.Second, LogFormat: "text", LogLevel: "error"})
	require.NoError(t, err)
	o := validOptions(t)
	o.NATSReplicas = 0
	require.ErrorContains(t, service.Setup(srv, service.Deps{}, o), "--nats-replicas")
	require.Empty(t, srv.GRPC().GetServiceInfo()[rebalancerv1.ExecutorService_ServiceDesc.ServiceName].Methods,
		"nothing registered")
}

// With its embedded nats-server and a cluster that answers, the Executor
// serves once the stream and the bucket are open, and answers for its
// executions (none yet).
func TestSetupServesOnEmbeddedNATS(t *testing.T) {
	t.Parallel()
	cluster := fakeCluster(t)
	kube, err := kubernetes.NewForConfig(cluster)
	require.NoError(t, err)
	groups, err := autoscaler.NewForConfig(cluster)
	require.NoError(t, err)
	srv := servicetest.Serve(t, server.Config{Name: "executor"}, func(s *server.Server) error {
		return service.Setup(s, service.Deps{Kube: kube, Groups: groups, Cloud: cloudfake.New()}, validOptions(t))
	})
	conn := servicetest.Dial(t, srv.GRPCAddr())
	servicetest.WaitHealth(t, conn, rebalancerv1.ExecutorService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)

	api := rebalancerv1.NewExecutorServiceClient(conn)
	list, err := api.ListExecutions(t.Context(), &rebalancerv1.ListExecutionsRequest{})
	require.NoError(t, err, "the engine is open once the service is SERVING")
	require.Empty(t, list.GetExecutions())
	_, err = api.GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: "exec-none"})
	require.Equal(t, codes.NotFound, status.Code(err), "%v", err)
}

// fakeCluster is an API server that is ready and has no nodes: enough for
// the readiness check and the start-up reconcile.
func fakeCluster(t *testing.T) *rest.Config {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /api/v1/nodes", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"NodeList","apiVersion":"v1","metadata":{},"items":[]}`))
	})
	// No NodeGroups, and a watch that never says anything: enough for the
	// Executor's NodeGroup cache to sync.
	mux.HandleFunc("GET /apis/autoscaler.vpsie.io/v1alpha1/nodegroups", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("watch") == "true" {
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		_, _ = w.Write([]byte(`{"kind":"NodeGroupList","apiVersion":"autoscaler.vpsie.io/v1alpha1","metadata":{"resourceVersion":"1"},"items":[]}`))
	})
	serveStepInformers(mux) // stepkube_test.go
	api := httptest.NewServer(mux)
	t.Cleanup(api.Close)
	return &rest.Config{Host: api.URL}
}
