package server

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// limitedServer runs the echo executor without auth under limits.
func limitedServer(t *testing.T, limits Limits) *Server {
	t.Helper()
	srv, err := New(Config{Name: "test", GRPCAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
		DrainPeriod: time.Millisecond, ShutdownTimeout: 2 * time.Second, LogFormat: "text", LogLevel: "error", Limits: limits})
	require.NoError(t, err)
	rebalancerv1.RegisterExecutorServiceServer(srv, echoExecutor{})
	runServer(t, srv)
	return srv
}

func TestLargerRequestThanMaxRecvMsgSizeIsResourceExhausted(t *testing.T) {
	t.Parallel()
	srv := limitedServer(t, Limits{MaxRecvMsgSize: 1024})
	client := rebalancerv1.NewExecutorServiceClient(dial(t, srv.GRPCAddr()))
	_, err := client.GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: strings.Repeat("x", 2048)})
	requireStatus(t, err, codes.ResourceExhausted, "")
	_, err = client.GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: "x"})
	requireStatus(t, err, codes.NotFound, "")
}

func TestLargerResponseThanMaxSendMsgSizeIsResourceExhausted(t *testing.T) {
	t.Parallel()
	srv := limitedServer(t, Limits{MaxSendMsgSize: 64})
	client := rebalancerv1.NewExecutorServiceClient(dial(t, srv.GRPCAddr()))
	_, err := client.ListExecutions(t.Context(), &rebalancerv1.ListExecutionsRequest{PageSize: 10})
	require.NoError(t, err, "a small answer fits")
	_, err = client.ListExecutions(t.Context(), &rebalancerv1.ListExecutionsRequest{PageSize: 100})
	requireStatus(t, err, codes.ResourceExhausted, "")
}

func TestCallsBeyondMaxConcurrentStreamsWait(t *testing.T) {
	t.Parallel()
	srv := limitedServer(t, Limits{MaxConcurrentStreams: 1})
	client := rebalancerv1.NewExecutorServiceClient(dial(t, srv.GRPCAddr()))
	watchCtx, stopWatch := context.WithCancel(t.Context())
	stream, err := client.WatchExecution(watchCtx, &rebalancerv1.WatchExecutionRequest{ExecutionId: "x"})
	require.NoError(t, err)
	_, err = stream.Recv()
	require.NoError(t, err)

	// The connection's one stream is taken: a second call waits.
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err = client.GetExecution(ctx, &rebalancerv1.GetExecutionRequest{ExecutionId: "x"})
	requireStatus(t, err, codes.DeadlineExceeded, "")

	stopWatch()
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := client.GetExecution(ctx, &rebalancerv1.GetExecutionRequest{ExecutionId: "x"})
		return codeOf(err) == codes.NotFound
	}, 5*time.Second, 50*time.Millisecond)
}

func TestStreamsPerCallerAreCapped(t *testing.T) {
	t.Parallel()
	cluster := viewerCluster()
	srv := authServer(t, cluster, func(c *Config) { c.Limits.MaxStreamsPerCaller = 2 })
	client := rebalancerv1.NewExecutorServiceClient(dial(t, srv.GRPCAddr()))
	watch := func(ctx context.Context) error {
		stream, err := client.WatchExecution(ctx, &rebalancerv1.WatchExecutionRequest{ExecutionId: "x"})
		require.NoError(t, err)
		_, err = stream.Recv()
		return err
	}
	first, closeFirst := context.WithCancel(withToken(t.Context(), "t-viewer"))
	require.NoError(t, watch(first))
	require.NoError(t, watch(withToken(t.Context(), "t-viewer")))
	err := watch(withToken(t.Context(), "t-viewer"))
	requireStatus(t, err, codes.ResourceExhausted,
		`"viewer" (token) already has 2 streams of /rebalancer.v1.ExecutorService/WatchExecution open, the most allowed (--max-streams-per-caller): close one first`)
	require.NoError(t, watch(withToken(t.Context(), "t-operator")), "another caller has streams of its own")

	closeFirst()
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithCancel(withToken(t.Context(), "t-viewer"))
		defer cancel()
		return watch(ctx) == nil
	}, 5*time.Second, 50*time.Millisecond, "a closed stream frees its slot")
}

func TestClientPingingFasterThanKeepaliveMinTimeIsDisconnected(t *testing.T) {
	t.Parallel()
	for name, limits := range map[string]Limits{
		"pings closer than the minimum time": {KeepaliveMinTime: time.Hour},
		"pings without a call open":          {KeepalivePermitWithoutStream: new(false)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := limitedServer(t, limits)
			require.Equal(t, "too_many_pings", pingFlood(t, srv.GRPCAddr()))
		})
	}
	t.Run("pings at the allowed pace are answered", func(t *testing.T) {
		t.Parallel()
		srv := limitedServer(t, Limits{KeepaliveMinTime: time.Millisecond})
		require.Empty(t, pingFlood(t, srv.GRPCAddr(), 5*time.Millisecond))
	})
}

// pingFlood speaks raw HTTP/2 to addr: preface, settings, then pings (one
// per gap, back to back without one), and returns the debug data of the
// GOAWAY the server sends, or "" when every ping is answered.
func pingFlood(t *testing.T, addr string, gap ...time.Duration) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = conn.Write([]byte(http2.ClientPreface))
	require.NoError(t, err)
	fr := http2.NewFramer(conn, conn)
	require.NoError(t, fr.WriteSettings())
	answered := 0
	for i := range 6 {
		if len(gap) > 0 {
			time.Sleep(gap[0])
		}
		require.NoError(t, fr.WritePing(false, [8]byte{byte(i)}))
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return ""
			}
			if g, ok := f.(*http2.GoAwayFrame); ok {
				return string(g.DebugData())
			}
			if p, ok := f.(*http2.PingFrame); ok && p.IsAck() {
				answered++
				break
			}
		}
	}
	require.Equal(t, 6, answered)
	return ""
}

func codeOf(err error) codes.Code { return status.Code(err) }

func TestLimitsFlagsAreChecked(t *testing.T) {
	t.Parallel()
	require.ErrorContains(t, Limits{MaxRecvMsgSize: -1}.check(), "--max-recv-msg-size")
	require.ErrorContains(t, Limits{MaxStreamsPerCaller: -1}.check(), "--max-streams-per-caller")
	require.ErrorContains(t, Limits{KeepaliveMinTime: -time.Second}.check(), "--keepalive-min-time")
	require.Equal(t, DefaultLimits, Limits{}.withDefaults())
}
