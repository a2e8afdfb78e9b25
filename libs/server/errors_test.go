package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

var _ Registrar = (*Server)(nil)

// errMissing is a typed error of the test service, mapped by its table.
var errMissing = errors.New("no execution exec-7")

// failingExecutor answers GetExecution and WatchExecution with err.
type failingExecutor struct {
	rebalancerv1.UnimplementedExecutorServiceServer
	err error
}

func (f failingExecutor) GetExecution(context.Context, *rebalancerv1.GetExecutionRequest) (*rebalancerv1.GetExecutionResponse, error) {
	return nil, f.err
}

func (f failingExecutor) WatchExecution(*rebalancerv1.WatchExecutionRequest, grpc.ServerStreamingServer[rebalancerv1.WatchExecutionResponse]) error {
	return f.err
}

// syncBuffer is a log sink the server's goroutines and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveFailing runs a server whose executor fails with err, mapped by the
// table, and returns a client and the server's log.
func serveFailing(t *testing.T, err error) (rebalancerv1.ExecutorServiceClient, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	srv, nerr := New(Config{
		Name: "test", GRPCAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
		DrainPeriod: time.Millisecond, ShutdownTimeout: 2 * time.Second,
		LogFormat: "text", LogLevel: "info", Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	require.NoError(t, nerr)
	rebalancerv1.RegisterExecutorServiceServer(srv, failingExecutor{err: err})
	srv.MapErrors(rebalancerv1.ExecutorService_ServiceDesc.ServiceName, ErrorTable{{
		Match:  func(err error) bool { return errors.Is(err, errMissing) },
		Status: func(err error) *status.Status { return status.New(codes.NotFound, err.Error()) },
	}})
	require.NoError(t, srv.Listen())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	conn, nerr := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, nerr)
	t.Cleanup(func() {
		_ = conn.Close()
		cancel()
		require.NoError(t, <-done)
	})
	return rebalancerv1.NewExecutorServiceClient(conn), logs
}

func TestHandlerErrorsAreMappedOnceForUnaryAndStreamCalls(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		err     error
		code    codes.Code
		message string
		logged  bool
	}{
		"a typed error by the service's table":    {fmt.Errorf("get: %w", errMissing), codes.NotFound, "get: no execution exec-7", false},
		"an error carrying its own status":        {status.Error(codes.Aborted, "busy"), codes.Aborted, "busy", false},
		"a cancelled context":                     {fmt.Errorf("wait: %w", context.Canceled), codes.Canceled, "", false},
		"anything else is Internal, cause hidden": {errors.New("dial nats: connection refused"), codes.Internal, "internal error", true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, logs := serveFailing(t, c.err)
			_, err := client.GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: "exec-7"})
			requireStatus(t, err, c.code, c.message)
			stream, err := client.WatchExecution(t.Context(), &rebalancerv1.WatchExecutionRequest{ExecutionId: "exec-7"})
			require.NoError(t, err)
			_, err = stream.Recv()
			requireStatus(t, err, c.code, c.message)
			if c.logged {
				require.Contains(t, logs.String(), "unexpected error")
				require.Contains(t, logs.String(), "/rebalancer.v1.ExecutorService/GetExecution")
				require.Contains(t, logs.String(), "/rebalancer.v1.ExecutorService/WatchExecution")
				require.Contains(t, logs.String(), "connection refused", "the cause is logged")
			} else {
				require.NotContains(t, logs.String(), "unexpected error")
			}
		})
	}
}

func requireStatus(t *testing.T, err error, code codes.Code, message string) {
	t.Helper()
	st := status.Convert(err)
	require.Equal(t, code, st.Code(), st.Message())
	if message != "" {
		require.Equal(t, message, st.Message())
	}
}
