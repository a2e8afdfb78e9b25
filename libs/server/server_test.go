package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// panickyAnalyzer panics on AnalyzeRebalance, to exercise recovery; its
// requests must get through validation first.
type panickyAnalyzer struct {
	rebalancerv1.UnimplementedAnalyzerServiceServer
}

func (panickyAnalyzer) AnalyzeRebalance(context.Context, *rebalancerv1.AnalyzeRebalanceRequest) (*rebalancerv1.AnalyzeRebalanceResponse, error) {
	panic("boom")
}

type running struct {
	srv    *Server
	conn   *grpc.ClientConn
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, deps ...Dependency) *running {
	t.Helper()
	srv, err := New(Config{
		Name: "test", GRPCAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
		DrainPeriod: 200 * time.Millisecond, ShutdownTimeout: 2 * time.Second,
		LogFormat: "text", LogLevel: "error", Validate: apivalidate.Request,
	})
	require.NoError(t, err)
	rebalancerv1.RegisterAnalyzerServiceServer(srv.GRPC(), panickyAnalyzer{})
	for _, d := range deps {
		srv.Depend(d)
	}
	require.NoError(t, srv.Listen())
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{srv: srv, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- srv.Run(ctx) }()
	r.conn, err = grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = r.conn.Close()
		cancel()
		if err := <-r.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

func (r *running) healthOf(t *testing.T, service string) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	resp, err := healthpb.NewHealthClient(r.conn).Check(t.Context(), &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		return healthpb.HealthCheckResponse_UNKNOWN
	}
	return resp.GetStatus()
}

func (r *running) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + r.srv.MetricsAddr() + path)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestServesHealthPerServiceAndOverall(t *testing.T) {
	t.Parallel()
	r := start(t)
	require.Eventually(t, func() bool {
		return r.healthOf(t, "rebalancer.v1.AnalyzerService") == healthpb.HealthCheckResponse_SERVING
	}, 5*time.Second, 20*time.Millisecond)
	require.Equal(t, healthpb.HealthCheckResponse_SERVING, r.healthOf(t, ""))
	code, _ := r.get(t, "/readyz")
	require.Equal(t, http.StatusOK, code)
}

func TestInvalidRequestIsInvalidArgumentNamingTheField(t *testing.T) {
	t.Parallel()
	r := start(t)
	_, err := rebalancerv1.NewAnalyzerServiceClient(r.conn).AnalyzeRebalance(t.Context(),
		&rebalancerv1.AnalyzeRebalanceRequest{Namespace: "web", NodeGroup: "Not_A_Name"})
	st := status.Convert(err)
	require.Equal(t, codes.InvalidArgument, st.Code())
	var fields []string
	for _, d := range st.Details() {
		for _, v := range d.(*errdetails.BadRequest).GetFieldViolations() {
			fields = append(fields, v.GetField())
		}
	}
	require.ElementsMatch(t, []string{"node_group", "opportunity"}, fields)
}

func TestPanicBecomesInternalAndIsCounted(t *testing.T) {
	t.Parallel()
	r := start(t)
	_, err := rebalancerv1.NewAnalyzerServiceClient(r.conn).AnalyzeRebalance(t.Context(), &rebalancerv1.AnalyzeRebalanceRequest{
		Namespace: "web", NodeGroup: "web",
		Opportunity: &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4"},
	})
	st := status.Convert(err)
	require.Equal(t, codes.Internal, st.Code())
	require.NotContains(t, st.Message(), "boom", "the panic value must not leak to callers")
	_, metrics := r.get(t, "/metrics")
	require.Contains(t, metrics, "grpc_req_panics_recovered_total 1")
	require.Contains(t, metrics, `grpc_server_handled_total{grpc_code="Internal",grpc_method="AnalyzeRebalance"`)
}

func TestUnreachableDependencyKeepsServiceNotServingUntilItAnswers(t *testing.T) {
	t.Parallel()
	var up atomic.Bool
	r := start(t, Dependency{Name: "fake", Interval: 50 * time.Millisecond, Check: func(context.Context) error {
		if up.Load() {
			return nil
		}
		return errors.New("down")
	}})
	require.Never(t, func() bool {
		return r.healthOf(t, "rebalancer.v1.AnalyzerService") == healthpb.HealthCheckResponse_SERVING
	}, 300*time.Millisecond, 20*time.Millisecond)
	code, _ := r.get(t, "/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	up.Store(true)
	require.Eventually(t, func() bool {
		return r.healthOf(t, "rebalancer.v1.AnalyzerService") == healthpb.HealthCheckResponse_SERVING
	}, 5*time.Second, 20*time.Millisecond)
}

func TestShutdownReportsNotServingThenStops(t *testing.T) {
	t.Parallel()
	r := start(t)
	var order []string
	r.srv.OnStop(func(context.Context) error { order = append(order, "first"); return nil })
	r.srv.OnStop(func(context.Context) error { order = append(order, "second"); return nil })
	require.Eventually(t, func() bool { return r.healthOf(t, "") == healthpb.HealthCheckResponse_SERVING }, 5*time.Second, 20*time.Millisecond)
	r.cancel()
	require.Eventually(t, func() bool {
		code, _ := r.get(t, "/readyz")
		return code == http.StatusServiceUnavailable
	}, time.Second, 10*time.Millisecond)
	require.Equal(t, healthpb.HealthCheckResponse_NOT_SERVING, r.healthOf(t, ""))
	select {
	case err := <-r.done:
		require.NoError(t, err)
		r.done <- err // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the drain period")
	}
	require.Equal(t, []string{"second", "first"}, order)
}

func TestConfigCheckNamesTheFlag(t *testing.T) {
	t.Parallel()
	valid := Config{Name: "x", GRPCAddr: ":1", MetricsAddr: ":2", ShutdownTimeout: time.Second, LogFormat: "json", LogLevel: "info", Auth: AuthKubernetes}
	cases := map[string]struct {
		edit func(*Config)
		want string
	}{
		"a missing gRPC address":     {func(c *Config) { c.GRPCAddr = "" }, "--grpc-addr"},
		"a missing metrics address":  {func(c *Config) { c.MetricsAddr = "" }, "--metrics-addr"},
		"a negative drain period":    {func(c *Config) { c.DrainPeriod = -time.Second }, "--drain-period"},
		"an unknown log format":      {func(c *Config) { c.LogFormat = "xml" }, "--log-format"},
		"an unknown log level":       {func(c *Config) { c.LogLevel = "loud" }, "--log-level"},
		"a negative auth cache TTL":  {func(c *Config) { c.AuthCacheTTL = -time.Second }, "--auth-cache-ttl"},
		"a negative auth cache size": {func(c *Config) { c.AuthCacheSize = -1 }, "--auth-cache-size"},
		"an unknown auth mode":       {func(c *Config) { c.Auth = "maybe" }, "--auth"},
		"a key without certificate":  {func(c *Config) { c.TLS.KeyFile = "k" }, "--tls-key-file"},
		"a negative message size":    {func(c *Config) { c.Limits.MaxRecvMsgSize = -1 }, "--max-recv-msg-size"},
		"a negative stream cap":      {func(c *Config) { c.Limits.MaxStreamsPerCaller = -1 }, "--max-streams-per-caller"},
	}
	require.NoError(t, valid.Check())
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := valid
			tc.edit(&c)
			err := c.Check()
			require.Error(t, err)
			require.True(t, strings.Contains(err.Error(), tc.want), err.Error())
		})
	}
}
