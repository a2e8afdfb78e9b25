package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/procs"
)

// serveWait bounds a service's start, up to SERVING.
const serveWait = time.Minute

// stopGrace is how long a process gets after SIGTERM.
const stopGrace = 10 * time.Second

// planner is the Planner process every run asks for its plan: the plans
// the Executor runs are the ones production would write.
type planner struct {
	proc   *procs.Child
	conn   *grpc.ClientConn
	client rebalancerv1.PlannerServiceClient
}

func startPlanner(ctx context.Context, binary, logDir string) (*planner, error) {
	grpcAddr, err := procs.FreeAddr()
	if err != nil {
		return nil, err
	}
	metricsAddr, err := procs.FreeAddr()
	if err != nil {
		return nil, err
	}
	p, err := procs.Start(procs.Command{Name: "planner", Binary: binary, LogDir: logDir, Args: []string{
		"--grpc-addr", grpcAddr, "--metrics-addr", metricsAddr, "--drain-period", "0s",
		"--log-level", "warn", "--auth", "none", // loopback only: the campaign calls without a token
	}})
	if err != nil {
		return nil, err
	}
	pl := &planner{proc: p}
	pl.conn, err = grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err == nil {
		err = waitServing(ctx, pl.conn, rebalancerv1.PlannerService_ServiceDesc.ServiceName, p)
	}
	if err != nil {
		return nil, fmt.Errorf("%w%s", err, pl.stop())
	}
	pl.client = rebalancerv1.NewPlannerServiceClient(pl.conn)
	return pl, nil
}

// plan sets the group's policy to the spec's, as an operator would, then
// asks the Planner for the plan of the group as it now reads.
func (p *planner) plan(ctx context.Context, groups autoscaler.Interface, s plantest.Spec) (*rebalancerv1.RebalancePlan, error) {
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"rebalancing": s.GroupPolicy()}})
	if err != nil {
		return nil, err
	}
	group, err := groups.NodeGroups(s.Namespace).Patch(ctx, s.Group, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return nil, fmt.Errorf("set the policy of group %s: %w", s.Group, err)
	}
	resp, err := p.client.CreatePlan(ctx, s.Request(group))
	if err != nil {
		return nil, fmt.Errorf("the Planner: %w", err)
	}
	return resp.GetPlan(), nil
}

// stop ends the process; the error, if any, is text to append.
func (p *planner) stop() string {
	if p.conn != nil {
		_ = p.conn.Close()
	}
	if err := p.proc.Stop(stopGrace); err != nil {
		return fmt.Sprintf(" (planner: %v)", err)
	}
	return ""
}

// waitServing waits until service reports SERVING on conn, and gives up
// at once if the process ends.
func waitServing(ctx context.Context, conn *grpc.ClientConn, service string, p *procs.Child) error {
	ctx, cancel := context.WithTimeout(ctx, serveWait)
	defer cancel()
	exited := func() error {
		_, why := p.Exited()
		return why
	}
	if err := procs.WaitHealth(ctx, conn, service, healthpb.HealthCheckResponse_SERVING, exited); err != nil {
		return fmt.Errorf("%w (log %s)", err, p.LogPath())
	}
	return nil
}
