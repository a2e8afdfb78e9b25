package authtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/vpsie/node-rebalancer/libs/access"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// group is the NodeGroup every call is about, in the test's namespace;
// knownExecution is an execution of it.
const (
	group          = "web"
	knownExecution = "exec-1"
)

// rpc is one call of the API, made with a token.
type rpc struct {
	name string
	verb string
	call func(ctx context.Context, c clients) error
}

type clients struct {
	analyzer rebalancerv1.AnalyzerServiceClient
	planner  rebalancerv1.PlannerServiceClient
	executor rebalancerv1.ExecutorServiceClient
}

// rpcs are every RPC of the three services, about group in ns.
func rpcs(ns string) []rpc {
	plan := &rebalancerv1.RebalancePlan{Namespace: ns, NodeGroup: group}
	analysis := &rebalancerv1.RebalanceAnalysis{Namespace: ns, NodeGroup: group}
	unary := func(f func(ctx context.Context, c clients) (any, error)) func(context.Context, clients) error {
		return func(ctx context.Context, c clients) error { _, err := f(ctx, c); return err }
	}
	return []rpc{
		{"AnalyzeRebalance", "get", unary(func(ctx context.Context, c clients) (any, error) {
			return c.analyzer.AnalyzeRebalance(ctx, &rebalancerv1.AnalyzeRebalanceRequest{Namespace: ns, NodeGroup: group})
		})},
		{"ValidateRebalanceSafety", "get", unary(func(ctx context.Context, c clients) (any, error) {
			return c.analyzer.ValidateRebalanceSafety(ctx, &rebalancerv1.ValidateRebalanceSafetyRequest{Namespace: ns, NodeGroup: group})
		})},
		{"CreatePlan", "get", unary(func(ctx context.Context, c clients) (any, error) {
			return c.planner.CreatePlan(ctx, &rebalancerv1.CreatePlanRequest{Analysis: analysis})
		})},
		{"ValidatePlan", "get", unary(func(ctx context.Context, c clients) (any, error) {
			return c.planner.ValidatePlan(ctx, &rebalancerv1.ValidatePlanRequest{Plan: plan})
		})},
		{"ExecutePlan", "create", unary(func(ctx context.Context, c clients) (any, error) {
			return c.executor.ExecutePlan(ctx, &rebalancerv1.ExecutePlanRequest{Plan: plan})
		})},
		{"ApproveExecution", "approve", unary(func(ctx context.Context, c clients) (any, error) {
			return c.executor.ApproveExecution(ctx, &rebalancerv1.ApproveExecutionRequest{ExecutionId: knownExecution})
		})},
		{"GetExecution", "get", unary(func(ctx context.Context, c clients) (any, error) {
			return c.executor.GetExecution(ctx, &rebalancerv1.GetExecutionRequest{ExecutionId: knownExecution})
		})},
		{"ListExecutions", "get", unary(func(ctx context.Context, c clients) (any, error) {
			return c.executor.ListExecutions(ctx, &rebalancerv1.ListExecutionsRequest{Namespace: ns})
		})},
		{"WatchExecution", "get", func(ctx context.Context, c clients) error {
			stream, err := c.executor.WatchExecution(ctx, &rebalancerv1.WatchExecutionRequest{ExecutionId: knownExecution})
			if err != nil {
				return err
			}
			_, err = stream.Recv()
			return err
		}},
		{"PauseExecution", "update", unary(func(ctx context.Context, c clients) (any, error) {
			return c.executor.PauseExecution(ctx, &rebalancerv1.PauseExecutionRequest{ExecutionId: knownExecution})
		})},
		{"ResumeExecution", "update", unary(func(ctx context.Context, c clients) (any, error) {
			return c.executor.ResumeExecution(ctx, &rebalancerv1.ResumeExecutionRequest{ExecutionId: knownExecution})
		})},
		{"CancelExecution", "update", unary(func(ctx context.Context, c clients) (any, error) {
			return c.executor.CancelExecution(ctx, &rebalancerv1.CancelExecutionRequest{ExecutionId: knownExecution})
		})},
		{"RollbackExecution", "update", unary(func(ctx context.Context, c clients) (any, error) {
			return c.executor.RollbackExecution(ctx, &rebalancerv1.RollbackExecutionRequest{ExecutionId: knownExecution})
		})},
	}
}

// roles are the ClusterRoles of deploy/ and the verbs each must grant.
var roles = map[string][]string{
	"rebalancer-viewer":   {"get"},
	"rebalancer-operator": {"get", "create", "update"},
	"rebalancer-approver": {"get", "approve"},
}

// TestEachRoleCallsExactlyItsRPCs binds a service account to each role of
// deploy/ in a namespace (and one to none), takes real tokens for them
// from the API server, and calls every RPC of a server authenticating and
// authorizing with the sandbox: an allowed call passes authorization (the
// stub services behind then answer Unimplemented), a denied one is
// PermissionDenied naming the caller, verb, resource and namespace.
func TestEachRoleCallsExactlyItsRPCs(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Shared()
	ns := sandboxtest.Namespace(t)
	applyDeployRoles(t, sb.Client)

	accounts := map[string][]string{"nobody": nil}
	for role, verbs := range roles {
		sa := strings.TrimPrefix(role, "rebalancer-")
		accounts[sa] = verbs
		createAccount(t, sb.Client, ns, sa)
		bind(t, sb.Client, ns, sa, role, false)
	}
	createAccount(t, sb.Client, ns, "nobody")
	// A viewer of every namespace, for the cluster-wide calls.
	createAccount(t, sb.Client, ns, "cluster-viewer")
	bind(t, sb.Client, ns, "cluster-viewer", "rebalancer-viewer", true)

	// The server reviews as a service account bound like the services' own.
	createAccount(t, sb.Client, ns, "rebalancer")
	bind(t, sb.Client, ns, "rebalancer", "vpsie-rebalancer-auth-reviews", true)
	c := serve(t, reviewClient(t, sb, ns, "rebalancer"), ns)

	tokens := map[string]string{}
	for sa := range accounts {
		tokens[sa] = token(t, sb.Client, ns, sa)
	}
	tokens["cluster-viewer"] = token(t, sb.Client, ns, "cluster-viewer")

	// Bindings reach the authorizer through its informers: wait for the
	// operator's first allowed call.
	waitAllowed(t, c, tokens["operator"], rpcs(ns)[4])

	for sa, verbs := range accounts {
		for _, r := range rpcs(ns) {
			allowed := contains(verbs, r.verb)
			err := r.call(withToken(t.Context(), tokens[sa]), c)
			t.Logf("%-9s %-24s %-8s -> %s", sa, r.name, r.verb, status.Code(err))
			if allowed {
				require.Equal(t, codes.Unimplemented, status.Code(err), "%s may %s (%s): %v", sa, r.name, r.verb, err)
				continue
			}
			requireDenied(t, err, fmt.Sprintf("system:serviceaccount:%s:%s", ns, sa), r.verb, fmt.Sprintf("in namespace %q", ns))
		}
	}

	t.Run("a namespace's viewer may not list every namespace, a cluster viewer may", func(t *testing.T) {
		_, err := c.executor.ListExecutions(withToken(t.Context(), tokens["viewer"]), &rebalancerv1.ListExecutionsRequest{})
		requireDenied(t, err, fmt.Sprintf("system:serviceaccount:%s:viewer", ns), "get", "in all namespaces")
		_, err = c.executor.ListExecutions(withToken(t.Context(), tokens["cluster-viewer"]), &rebalancerv1.ListExecutionsRequest{})
		require.Equal(t, codes.Unimplemented, status.Code(err), "%v", err)
	})
	t.Run("a namespace's operator may not touch another namespace's groups", func(t *testing.T) {
		_, err := c.executor.ExecutePlan(withToken(t.Context(), tokens["operator"]),
			&rebalancerv1.ExecutePlanRequest{Plan: &rebalancerv1.RebalancePlan{Namespace: "kube-system", NodeGroup: group}})
		requireDenied(t, err, "operator", "create", `in namespace "kube-system"`)
	})
	t.Run("an unknown execution is authorized cluster-wide, so it is not revealed", func(t *testing.T) {
		_, err := c.executor.GetExecution(withToken(t.Context(), tokens["viewer"]), &rebalancerv1.GetExecutionRequest{ExecutionId: "exec-404"})
		requireDenied(t, err, "viewer", "get", "in all namespaces")
		_, err = c.executor.GetExecution(withToken(t.Context(), tokens["cluster-viewer"]), &rebalancerv1.GetExecutionRequest{ExecutionId: "exec-404"})
		require.Equal(t, codes.Unimplemented, status.Code(err), "%v", err)
	})
	t.Run("no token, a forged token and an admin's token", func(t *testing.T) {
		_, err := c.analyzer.AnalyzeRebalance(t.Context(), &rebalancerv1.AnalyzeRebalanceRequest{Namespace: ns, NodeGroup: group})
		require.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)
		_, err = c.analyzer.AnalyzeRebalance(withToken(t.Context(), tokens["viewer"]+"x"), &rebalancerv1.AnalyzeRebalanceRequest{Namespace: ns, NodeGroup: group})
		require.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)
		_, err = c.executor.ApproveExecution(withToken(t.Context(), sb.RESTConfig.BearerToken), &rebalancerv1.ApproveExecutionRequest{ExecutionId: knownExecution})
		require.Equal(t, codes.Unimplemented, status.Code(err), "system:masters may do anything: %v", err)
	})
}

func requireDenied(t *testing.T, err error, who, verb, where string) {
	t.Helper()
	st := status.Convert(err)
	require.Equal(t, codes.PermissionDenied, st.Code(), "%s should be denied %s %s: %v", who, verb, where, err)
	for _, part := range []string{who, "may not " + verb + " nodegroups/rebalance (API group autoscaler.vpsie.io)", where} {
		require.Contains(t, st.Message(), part)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stubs answer Unimplemented to every call that gets through.
type (
	stubAnalyzer struct {
		rebalancerv1.UnimplementedAnalyzerServiceServer
	}
	stubPlanner struct {
		rebalancerv1.UnimplementedPlannerServiceServer
	}
	stubExecutor struct {
		rebalancerv1.UnimplementedExecutorServiceServer
	}
)

// serve runs the three services' access tables on one server with
// --auth=kubernetes; the Executor's locator knows knownExecution in ns.
func serve(t *testing.T, reviews kubernetes.Interface, ns string) clients {
	t.Helper()
	srv, err := server.New(server.Config{Name: "authtest", GRPCAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
		Auth: server.AuthKubernetes, DrainPeriod: time.Millisecond, ShutdownTimeout: 2 * time.Second,
		LogFormat: "text", LogLevel: "error"})
	require.NoError(t, err)
	rebalancerv1.RegisterAnalyzerServiceServer(srv, stubAnalyzer{})
	rebalancerv1.RegisterPlannerServiceServer(srv, stubPlanner{})
	rebalancerv1.RegisterExecutorServiceServer(srv, stubExecutor{})
	srv.Authorize(rebalancerv1.AnalyzerService_ServiceDesc.ServiceName, access.Analyzer())
	srv.Authorize(rebalancerv1.PlannerService_ServiceDesc.ServiceName, access.Planner())
	srv.Authorize(rebalancerv1.ExecutorService_ServiceDesc.ServiceName, access.Executor(
		func(_ context.Context, id string) (string, string, bool, error) {
			return ns, group, id == knownExecution, nil
		}))
	srv.UseKubernetesAuth(reviews)
	require.NoError(t, srv.Listen())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = conn.Close()
		cancel()
		require.NoError(t, <-done)
	})
	return clients{rebalancerv1.NewAnalyzerServiceClient(conn), rebalancerv1.NewPlannerServiceClient(conn),
		rebalancerv1.NewExecutorServiceClient(conn)}
}

func withToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

func waitAllowed(t *testing.T, c clients, token string, r rpc) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 15*time.Second, true, func(ctx context.Context) (bool, error) {
		return status.Code(r.call(withToken(ctx, token), c)) == codes.Unimplemented, nil
	})
	require.NoError(t, err, "the bindings never took effect")
}

// applyDeployRoles creates (once per sandbox) the ClusterRoles of deploy/base/access-roles.yaml
// and auth-rbac.yaml, as shipped.
func applyDeployRoles(t *testing.T, client kubernetes.Interface) {
	t.Helper()
	root, err := sandbox.RepoRoot()
	require.NoError(t, err)
	for _, file := range []string{"access-roles.yaml", "auth-rbac.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, "deploy", "base", file))
		require.NoError(t, err)
		for _, doc := range strings.Split(string(b), "\n---\n") {
			var role rbacv1.ClusterRole
			require.NoError(t, yaml.Unmarshal([]byte(doc), &role))
			if role.Kind != "ClusterRole" {
				continue
			}
			_, err := client.RbacV1().ClusterRoles().Create(t.Context(), &role, metav1.CreateOptions{})
			if !apierrors.IsAlreadyExists(err) { // another test of the package made it
				require.NoError(t, err, role.Name)
			}
		}
	}
}

func createAccount(t *testing.T, client kubernetes.Interface, ns, name string) {
	t.Helper()
	_, err := client.CoreV1().ServiceAccounts(ns).Create(t.Context(),
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
}

// bind binds role to the account: in its namespace, or everywhere.
func bind(t *testing.T, client kubernetes.Interface, ns, sa, role string, clusterWide bool) {
	t.Helper()
	subjects := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa, Namespace: ns}}
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}
	meta := metav1.ObjectMeta{Name: ns + "-" + sa}
	var err error
	if clusterWide {
		_, err = client.RbacV1().ClusterRoleBindings().Create(t.Context(),
			&rbacv1.ClusterRoleBinding{ObjectMeta: meta, Subjects: subjects, RoleRef: ref}, metav1.CreateOptions{})
	} else {
		_, err = client.RbacV1().RoleBindings(ns).Create(t.Context(),
			&rbacv1.RoleBinding{ObjectMeta: meta, Subjects: subjects, RoleRef: ref}, metav1.CreateOptions{})
	}
	require.NoError(t, err)
}

// bindGroup binds role to a group of users in the namespace.
func bindGroup(t *testing.T, client kubernetes.Interface, ns, group, role string) {
	t.Helper()
	_, err := client.RbacV1().RoleBindings(ns).Create(t.Context(), &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "group-" + group},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: group}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
}

// token asks the API server for a short-lived token of the account.
func token(t *testing.T, client kubernetes.Interface, ns, sa string) string {
	t.Helper()
	tr, err := client.CoreV1().ServiceAccounts(ns).CreateToken(t.Context(), sa,
		&authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{ExpirationSeconds: new(int64(600))}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return tr.Status.Token
}

// reviewClient is a client acting as the account, with its token only.
func reviewClient(t *testing.T, sb *sandbox.Sandbox, ns, sa string) kubernetes.Interface {
	t.Helper()
	cfg := rest.AnonymousClientConfig(sb.RESTConfig)
	cfg.BearerToken = token(t, sb.Client, ns, sa)
	client, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	return client
}
