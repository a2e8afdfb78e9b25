package dashboardtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/procs"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// The world's constants, as the Executor's own end-to-end tests use them
// (services/executor/internal/e2e, which testbed may not import).
const (
	simToken  = "dashboard-token"
	joinToken = "dashb0.0123456789abcdef"
	osImage   = "os-test"
	current   = "standard-8"
	target    = "compute-4"
)

// world is one rebalance's surroundings: a namespace of the shared
// sandbox with a NodeGroup of simulator VMs, the Planner and an Executor
// process serving on a loopback port.
type world struct {
	t        *testing.T
	sb       *sandbox.Sandbox
	ns       string
	cloud    *vpsie.Client
	planner  *plantest.Planner
	executor rebalancerv1.ExecutorServiceClient
}

func newWorld(t *testing.T) *world {
	t.Helper()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	sim, err := vpsiesim.NewServer(vpsiesim.Options{Token: simToken, BootDelay: time.Second, Kube: sb.Client, JoinToken: joinToken})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	client, err := vpsie.New(vpsie.Options{BaseURL: sim.URL, Token: simToken, OSIdentifier: osImage})
	require.NoError(t, err)
	w := &world{t: t, sb: sb, ns: ns, cloud: client, planner: plantest.Start(t, filepath.Join(binDir, "planner"))}
	w.executor = w.startExecutor(sim.URL)
	return w
}

// startExecutor runs the executor binary with an embedded nats-server,
// as an installation of its own (named after the namespace), and waits
// until it serves.
func (w *world) startExecutor(simURL string) rebalancerv1.ExecutorServiceClient {
	t := w.t
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "vpsie-token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(simToken+"\n"), 0o600))
	grpcAddr := servicetest.FreeAddr(t)
	p, err := procs.Start(procs.Command{Name: "executor", Binary: filepath.Join(binDir, "executor"), LogDir: dir, Args: []string{
		"--grpc-addr", grpcAddr, "--metrics-addr", servicetest.FreeAddr(t), "--kubeconfig", w.sb.KubeconfigPath,
		"--vpsie-url", simURL, "--vpsie-token-file", tokenFile, "--vpsie-os-identifier", osImage,
		"--data-dir", filepath.Join(dir, "nats"), "--installation", w.ns, "--drain-period", "100ms",
		"--log-level", "info", "--auth", "none", // loopback only; the test calls without a token
	}})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- log of the executor ---\n%s", p.Tail(60))
		}
		if err := p.Stop(10 * time.Second); err != nil {
			t.Errorf("executor: %v", err)
		}
	})
	conn := servicetest.Dial(t, grpcAddr)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	exited := func() error {
		_, why := p.Exited()
		return why
	}
	require.NoError(t, procs.WaitHealth(ctx, conn, rebalancerv1.ExecutorService_ServiceDesc.ServiceName,
		healthpb.HealthCheckResponse_SERVING, exited))
	return rebalancerv1.NewExecutorServiceClient(conn)
}

// createGroup makes a NodeGroup of count simulator VMs of the current
// offering, booted with the group's user data (a self-managed cluster),
// and returns their Nodes once Ready.
func (w *world) createGroup(count int) []*corev1.Node {
	t, ctx := w.t, w.t.Context()
	t.Cleanup(w.deleteGroupNodes)
	_, err := w.sb.Client.CoreV1().Secrets(w.ns).Create(ctx, fixtures.BootstrapSecret(w.ns, joinToken), metav1.CreateOptions{})
	require.NoError(t, err)
	g := fixtures.Group{Namespace: w.ns, Name: w.ns, Offering: fixtures.Standard8, Nodes: 1, Datacenter: catalog.NYC1,
		Provisioning: fixtures.VMProvisioning()}
	_, err = w.sb.Autoscaler.NodeGroups(w.ns).Create(ctx, g.NodeGroup(), metav1.CreateOptions{})
	require.NoError(t, err)
	o, err := w.cloud.GetOffering(ctx, catalog.NYC1, current)
	require.NoError(t, err)
	labels := map[string]string{v1alpha1.LabelNodeGroup: w.ns}
	var providers []string
	for i := range count {
		vm, err := w.cloud.CreateVM(ctx, cloud.CreateSpec{
			Hostname: fmt.Sprintf("%s-%d", w.ns, i), OfferingID: o.ID, Datacenter: catalog.NYC1,
			Labels: labels, UserData: vpsiesim.BootstrapUserData(joinToken, labels, nil),
		})
		require.NoError(t, err)
		providers = append(providers, vm.ProviderID())
	}
	return w.waitJoined(providers)
}

// waitJoined waits for the group's Nodes of the provider IDs to be Ready.
func (w *world) waitJoined(providers []string) []*corev1.Node {
	nodes := make([]*corev1.Node, len(providers))
	fixtures.Eventually(w.t, "the group's nodes Ready", func(ctx context.Context) (bool, error) {
		list, err := w.sb.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + w.ns})
		if err != nil {
			return false, err
		}
		ready := 0
		for i, id := range providers {
			for j := range list.Items {
				if n := &list.Items[j]; n.Spec.ProviderID == id && kube.NodeReady(n) {
					nodes[i] = n
					ready++
				}
			}
		}
		return ready == len(providers), nil
	})
	return nodes
}

// deleteGroupNodes removes what the test left in the shared cluster.
func (w *world) deleteGroupNodes() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = w.sb.Client.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{},
		metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + w.ns})
}

// submit asks the Planner for a rolling plan replacing nodes, one per
// batch, held for approval, and submits it.
func (w *world) submit(nodes []*corev1.Node) *rebalancerv1.ExecutionState {
	t := w.t
	plan := w.planner.Plan(t, w.sb.Autoscaler, plantest.Spec{Namespace: w.ns, Group: w.ns,
		Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING, Replace: nodes, Target: target,
		DrainTimeout: time.Minute, RequireApproval: true})
	resp, err := w.executor.ExecutePlan(t.Context(), &rebalancerv1.ExecutePlanRequest{Plan: plan})
	require.NoError(t, err)
	return resp.GetExecution()
}

func (w *world) approve(id string) {
	_, err := w.executor.ApproveExecution(w.t.Context(), &rebalancerv1.ApproveExecutionRequest{ExecutionId: id})
	require.NoError(w.t, err, "approve %s", id)
}
