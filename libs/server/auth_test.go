package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/identity"
)

// echoExecutor answers GetExecution with NotFound naming the caller it
// found in its context, and keeps WatchExecution open after one message
// until the caller goes.
type echoExecutor struct {
	rebalancerv1.UnimplementedExecutorServiceServer
}

func (echoExecutor) GetExecution(ctx context.Context, _ *rebalancerv1.GetExecutionRequest) (*rebalancerv1.GetExecutionResponse, error) {
	id, ok := identity.FromContext(ctx)
	if !ok {
		return nil, status.Error(codes.Internal, "no identity in the context")
	}
	return nil, status.Errorf(codes.NotFound, "caller %s groups %v", id.User, id.Groups)
}

// ListExecutions answers with a page token of page_size bytes.
func (echoExecutor) ListExecutions(_ context.Context, req *rebalancerv1.ListExecutionsRequest) (*rebalancerv1.ListExecutionsResponse, error) {
	return &rebalancerv1.ListExecutionsResponse{NextPageToken: strings.Repeat("x", int(req.GetPageSize()))}, nil
}

func (echoExecutor) WatchExecution(_ *rebalancerv1.WatchExecutionRequest, s grpc.ServerStreamingServer[rebalancerv1.WatchExecutionResponse]) error {
	if err := s.Send(&rebalancerv1.WatchExecutionResponse{}); err != nil {
		return err
	}
	<-s.Context().Done()
	return nil
}

// fakeCluster is a Kubernetes API that knows tokens by name and allows
// what allow says, and counts its reviews.
type fakeCluster struct {
	tokens                      map[string]string // token → user
	allow                       func(user string, a *authzv1.ResourceAttributes) bool
	tokenReviews, accessReviews atomic.Int32
	last                        atomic.Pointer[authzv1.SubjectAccessReviewSpec]
}

func (c *fakeCluster) client() *fake.Clientset {
	client := fake.NewClientset()
	client.PrependReactor("create", "tokenreviews", func(action k8stesting.Action) (bool, runtime.Object, error) {
		c.tokenReviews.Add(1)
		review := action.(k8stesting.CreateAction).GetObject().(*authnv1.TokenReview)
		if user, ok := c.tokens[review.Spec.Token]; ok {
			review.Status = authnv1.TokenReviewStatus{Authenticated: true,
				User: authnv1.UserInfo{Username: user, UID: "uid-" + user, Groups: []string{"system:authenticated"}}}
		}
		return true, review, nil
	})
	client.PrependReactor("create", "subjectaccessreviews", func(action k8stesting.Action) (bool, runtime.Object, error) {
		c.accessReviews.Add(1)
		sar := action.(k8stesting.CreateAction).GetObject().(*authzv1.SubjectAccessReview)
		c.last.Store(&sar.Spec)
		sar.Status.Allowed = c.allow(sar.Spec.User, sar.Spec.ResourceAttributes)
		return true, sar, nil
	})
	return client
}

// executorTable authorizes GetExecution and WatchExecution as get on the
// group "web" of namespace "shop", the rest as update there.
func executorTable() AccessTable {
	at := func(verb string) AccessRule {
		return func(context.Context, any) (Attributes, error) {
			return Attributes{Verb: verb, Namespace: "shop", Group: "web"}, nil
		}
	}
	t := AccessTable{}
	for _, m := range rebalancerv1.ExecutorService_ServiceDesc.Methods {
		t[m.MethodName] = at(VerbUpdate)
	}
	t["GetExecution"], t["WatchExecution"] = at(VerbGet), at(VerbGet)
	return t
}

// authServer runs an executor with auth against cluster; edit changes the
// configuration first.
func authServer(t *testing.T, cluster *fakeCluster, edit func(*Config)) *Server {
	t.Helper()
	cfg := Config{
		Name: "test", GRPCAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", Auth: AuthKubernetes,
		DrainPeriod: time.Millisecond, ShutdownTimeout: 2 * time.Second, LogFormat: "text", LogLevel: "error",
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	rebalancerv1.RegisterExecutorServiceServer(srv, echoExecutor{})
	srv.Authorize(rebalancerv1.ExecutorService_ServiceDesc.ServiceName, executorTable())
	if cluster != nil {
		srv.UseKubernetesAuth(cluster.client())
	}
	runServer(t, srv)
	return srv
}

func runServer(t *testing.T, srv *Server) {
	t.Helper()
	require.NoError(t, srv.Listen())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

func dial(t *testing.T, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	if len(opts) == 0 {
		opts = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	}
	conn, err := grpc.NewClient(addr, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func withToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

func viewerCluster() *fakeCluster {
	return &fakeCluster{
		tokens: map[string]string{"t-viewer": "viewer", "t-operator": "operator"},
		allow: func(user string, a *authzv1.ResourceAttributes) bool {
			return a.Namespace == "shop" && (a.Verb == VerbGet || user == "operator")
		},
	}
}

func TestCallsAreAuthenticatedByTokenReviewAndAuthorizedBySubjectAccessReview(t *testing.T) {
	t.Parallel()
	cluster := viewerCluster()
	srv := authServer(t, cluster, nil)
	client := rebalancerv1.NewExecutorServiceClient(dial(t, srv.GRPCAddr()))
	get := &rebalancerv1.GetExecutionRequest{ExecutionId: "exec-7"}

	_, err := client.GetExecution(t.Context(), get)
	requireStatus(t, err, codes.Unauthenticated, errNoCredentials.(interface{ GRPCStatus() *status.Status }).GRPCStatus().Message())
	_, err = client.GetExecution(withToken(t.Context(), "stolen"), get)
	requireStatus(t, err, codes.Unauthenticated, "")
	_, err = client.GetExecution(metadata.AppendToOutgoingContext(t.Context(), "authorization", "Basic dXNlcg=="), get)
	requireStatus(t, err, codes.Unauthenticated, `malformed authorization metadata: want one "Bearer <token>"`)

	// Allowed: the handler runs, with the reviewed caller in its context.
	_, err = client.GetExecution(withToken(t.Context(), "t-viewer"), get)
	requireStatus(t, err, codes.NotFound, "caller viewer groups [system:authenticated]")
	spec := cluster.last.Load()
	require.Equal(t, "viewer", spec.User)
	require.Equal(t, "uid-viewer", spec.UID)
	require.Equal(t, &authzv1.ResourceAttributes{Namespace: "shop", Verb: "get", Group: "autoscaler.vpsie.io",
		Resource: "nodegroups", Subresource: "rebalance", Name: "web"}, spec.ResourceAttributes)

	// Denied: the message names caller, verb, resource and namespace.
	_, err = client.PauseExecution(withToken(t.Context(), "t-viewer"), &rebalancerv1.PauseExecutionRequest{ExecutionId: "exec-7"})
	requireStatus(t, err, codes.PermissionDenied,
		`permission denied: user "viewer" (token) may not update nodegroups/rebalance (API group autoscaler.vpsie.io) of NodeGroup "web" in namespace "shop"`)
	_, err = client.PauseExecution(withToken(t.Context(), "t-operator"), &rebalancerv1.PauseExecutionRequest{ExecutionId: "exec-7"})
	requireStatus(t, err, codes.Unimplemented, "")

	// Streams: refused at their request, allowed ones flow.
	stream, err := client.WatchExecution(t.Context(), &rebalancerv1.WatchExecutionRequest{ExecutionId: "exec-7"})
	require.NoError(t, err)
	_, err = stream.Recv()
	requireStatus(t, err, codes.Unauthenticated, "")
	ctx, cancel := context.WithCancel(withToken(t.Context(), "t-viewer"))
	defer cancel()
	stream, err = client.WatchExecution(ctx, &rebalancerv1.WatchExecutionRequest{ExecutionId: "exec-7"})
	require.NoError(t, err)
	_, err = stream.Recv()
	require.NoError(t, err)
}

func TestStreamDeniedByItsRequestSendsNothing(t *testing.T) {
	t.Parallel()
	cluster := viewerCluster()
	cluster.allow = func(string, *authzv1.ResourceAttributes) bool { return false }
	srv := authServer(t, cluster, nil)
	client := rebalancerv1.NewExecutorServiceClient(dial(t, srv.GRPCAddr()))
	stream, err := client.WatchExecution(withToken(t.Context(), "t-viewer"), &rebalancerv1.WatchExecutionRequest{ExecutionId: "exec-7"})
	require.NoError(t, err)
	_, err = stream.Recv()
	requireStatus(t, err, codes.PermissionDenied,
		`permission denied: user "viewer" (token) may not get nodegroups/rebalance (API group autoscaler.vpsie.io) of NodeGroup "web" in namespace "shop"`)
}

func TestReviewsAreCachedForTheirTTL(t *testing.T) {
	t.Parallel()
	cluster := viewerCluster()
	srv := authServer(t, cluster, func(c *Config) { c.AuthCacheTTL = 300 * time.Millisecond })
	client := rebalancerv1.NewExecutorServiceClient(dial(t, srv.GRPCAddr()))
	for range 3 {
		_, err := client.GetExecution(withToken(t.Context(), "t-viewer"), &rebalancerv1.GetExecutionRequest{ExecutionId: "x"})
		requireStatus(t, err, codes.NotFound, "")
		_, err = client.GetExecution(withToken(t.Context(), "stolen"), &rebalancerv1.GetExecutionRequest{ExecutionId: "x"})
		requireStatus(t, err, codes.Unauthenticated, "")
	}
	require.Equal(t, int32(2), cluster.tokenReviews.Load(), "one review per token, accepted or refused")
	require.Equal(t, int32(1), cluster.accessReviews.Load())
	time.Sleep(400 * time.Millisecond) // past the TTL: asked again
	_, err := client.GetExecution(withToken(t.Context(), "t-viewer"), &rebalancerv1.GetExecutionRequest{ExecutionId: "x"})
	requireStatus(t, err, codes.NotFound, "")
	require.Equal(t, int32(3), cluster.tokenReviews.Load())
	require.Equal(t, int32(2), cluster.accessReviews.Load())
}

func TestHealthAndReflectionNeedNoCredentials(t *testing.T) {
	t.Parallel()
	srv := authServer(t, viewerCluster(), nil)
	conn := dial(t, srv.GRPCAddr())
	_, err := healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	refl, err := grpc_reflection_v1.NewServerReflectionClient(conn).ServerReflectionInfo(t.Context())
	require.NoError(t, err)
	require.NoError(t, refl.Send(&grpc_reflection_v1.ServerReflectionRequest{
		MessageRequest: &grpc_reflection_v1.ServerReflectionRequest_ListServices{}}))
	resp, err := refl.Recv()
	require.NoError(t, err)
	require.NotEmpty(t, resp.GetListServicesResponse().GetService())
}

func TestAuthWithoutClientOrRulesRefusesToStart(t *testing.T) {
	t.Parallel()
	cfg := Config{Name: "test", GRPCAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", Auth: AuthKubernetes,
		ShutdownTimeout: time.Second, LogFormat: "text", LogLevel: "error"}
	srv, err := New(cfg)
	require.NoError(t, err)
	rebalancerv1.RegisterExecutorServiceServer(srv, echoExecutor{})
	srv.Authorize(rebalancerv1.ExecutorService_ServiceDesc.ServiceName, executorTable())
	require.ErrorContains(t, srv.Run(t.Context()), "no Kubernetes client")

	srv, err = New(cfg)
	require.NoError(t, err)
	rebalancerv1.RegisterExecutorServiceServer(srv, echoExecutor{})
	table := executorTable()
	delete(table, "ApproveExecution")
	srv.Authorize(rebalancerv1.ExecutorService_ServiceDesc.ServiceName, table)
	srv.UseKubernetesAuth(viewerCluster().client())
	require.ErrorContains(t, srv.Run(t.Context()), "no access rule for rebalancer.v1.ExecutorService/ApproveExecution")
}

func TestAnonymousOnlyWhenAskedAndOnLoopback(t *testing.T) {
	t.Parallel()
	valid := Config{Name: "x", GRPCAddr: "127.0.0.1:9090", MetricsAddr: "[::1]:8080", ShutdownTimeout: time.Second,
		LogFormat: "json", LogLevel: "info", Auth: AuthNone}
	require.NoError(t, valid.Check())
	for addr, ok := range map[string]bool{"localhost:1": true, "127.0.0.2:1": true, ":9090": false, "0.0.0.0:1": false,
		"10.0.0.4:1": false, "[::]:1": false, "nohost": false} {
		c := valid
		c.GRPCAddr = addr
		err := c.Check()
		if ok {
			require.NoError(t, err, addr)
			continue
		}
		require.ErrorContains(t, err, "--auth=none lets anyone call, so every listener must be on loopback, and --grpc-addr", addr)
		c = valid
		c.MetricsAddr = addr
		require.ErrorContains(t, c.Check(), "--metrics-addr", addr)
		c.Auth = AuthKubernetes
		require.NoError(t, c.Check(), "with auth, any address")
	}
	c := valid
	c.Auth = "token"
	require.ErrorContains(t, c.Check(), `--auth "token": want kubernetes or none`)

	// Anonymous callers are named so in the handler's context.
	srv, err := New(Config{Name: "test", GRPCAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", Auth: AuthNone,
		ShutdownTimeout: time.Second, LogFormat: "text", LogLevel: "error"})
	require.NoError(t, err)
	rebalancerv1.RegisterExecutorServiceServer(srv, echoExecutor{})
	runServer(t, srv)
	_, err = rebalancerv1.NewExecutorServiceClient(dial(t, srv.GRPCAddr())).GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: "x"})
	requireStatus(t, err, codes.NotFound, "caller system:anonymous groups [system:unauthenticated]")
}

func TestClientCertificateIdentifiesTheCaller(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	files := pki.serverFiles(t, "127.0.0.1")
	cluster := viewerCluster()
	cluster.allow = func(user string, a *authzv1.ResourceAttributes) bool { return user == "alice" }
	srv := authServer(t, cluster, func(c *Config) { c.TLS = files })

	cert := pki.clientCert(t, "alice", "ops", "sre")
	conn := dial(t, srv.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{
		RootCAs: pki.pool(), Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})))
	_, err := rebalancerv1.NewExecutorServiceClient(conn).GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: "x"})
	requireStatus(t, err, codes.NotFound, "caller alice groups [ops sre]")

	// A certificate of another CA is refused at the handshake.
	other := newTestPKI(t).clientCert(t, "mallory", "ops")
	conn = dial(t, srv.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{
		RootCAs: pki.pool(), Certificates: []tls.Certificate{other}, MinVersion: tls.VersionTLS12})))
	_, err = rebalancerv1.NewExecutorServiceClient(conn).GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: "x"})
	requireStatus(t, err, codes.Unavailable, "")

	// Without a certificate, a token still works over TLS.
	conn = dial(t, srv.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{
		RootCAs: pki.pool(), MinVersion: tls.VersionTLS12})))
	_, err = rebalancerv1.NewExecutorServiceClient(conn).GetExecution(withToken(t.Context(), "t-viewer"), &rebalancerv1.GetExecutionRequest{ExecutionId: "x"})
	requireStatus(t, err, codes.PermissionDenied,
		`permission denied: user "viewer" (token) may not get nodegroups/rebalance (API group autoscaler.vpsie.io) of NodeGroup "web" in namespace "shop"`)
}

func TestServerCertificateIsReloadedWhenItsFilesChange(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	files := pki.serverFiles(t, "127.0.0.1")
	var errs []error
	r, err := newTLSReloader(files, func(err error) { errs = append(errs, err) })
	require.NoError(t, err)
	now := time.Now()
	r.now = func() time.Time { return now }
	first := servedSerial(t, r)

	pki.rewriteServerFiles(t, files, "127.0.0.1")
	require.Equal(t, first, servedSerial(t, r), "files are looked at once per interval")
	now = now.Add(2 * time.Second)
	second := servedSerial(t, r)
	require.NotEqual(t, first, second, "the new pair serves after the interval")

	// A broken rotation keeps the last good pair and says why, once.
	writeFile(t, files.KeyFile, []byte("half written"))
	now = now.Add(2 * time.Second)
	require.Equal(t, second, servedSerial(t, r))
	now = now.Add(2 * time.Second)
	require.Equal(t, second, servedSerial(t, r))
	require.Len(t, errs, 1)
	require.ErrorContains(t, errs[0], "--tls-cert-file")
}

func servedSerial(t *testing.T, r *tlsReloader) string {
	t.Helper()
	cfg, err := r.serverConfig().GetConfigForClient(nil)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	require.NoError(t, err)
	return leaf.SerialNumber.String()
}

func TestTLSFlagsGoTogether(t *testing.T) {
	t.Parallel()
	require.ErrorContains(t, TLSFiles{CertFile: "c"}.check(), "--tls-cert-file needs --tls-key-file")
	require.ErrorContains(t, TLSFiles{KeyFile: "k"}.check(), "--tls-key-file needs --tls-cert-file")
	require.ErrorContains(t, TLSFiles{ClientCAFile: "ca"}.check(), "--client-ca-file needs")
	_, err := newTLSReloader(TLSFiles{CertFile: "/nonexistent/c", KeyFile: "/nonexistent/k"}, nil)
	require.ErrorContains(t, err, "/nonexistent/c")
}
