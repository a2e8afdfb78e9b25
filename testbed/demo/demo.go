package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/invariants"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

// Run plays the scenario once and returns its summary. An error means the
// scenario could not be played (a process did not start, a call failed);
// a rebalance that ran but failed returns a Summary that is not OK.
// Everything Run starts is stopped before it returns, also when ctx is
// cancelled (Ctrl-C).
func Run(ctx context.Context, cfg Config) (sum Summary, err error) {
	if err := cfg.Validate(); err != nil {
		return sum, err
	}
	sb := cfg.Sandbox
	if sb == nil {
		section(cfg, "Starting the sandbox cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok)")
		if sb, err = sandbox.Start(ctx, sandbox.Options{Logf: cfg.logf}); err != nil {
			return sum, err
		}
		defer func() { err = errors.Join(err, sb.Stop()) }()
	}
	section(cfg, "Starting vpsie-sim, the Analyzer, the Planner and the Executor (embedded NATS)")
	svc, err := startServices(ctx, cfg, sb.KubeconfigPath)
	if err != nil {
		return sum, err
	}
	defer func() { err = errors.Join(err, svc.stop()) }()
	cloudClient, err := vpsie.New(vpsie.Options{BaseURL: svc.simURL, Token: simToken, OSIdentifier: osImage})
	if err != nil {
		return sum, err
	}
	section(cfg, fmt.Sprintf("Creating group %s (%s provisioning): %d nodes of %s, realistic workloads", cfg.Namespace, cfg.Mode, cfg.Nodes, current))
	old, before, err := setUp(ctx, cfg, sb, cloudClient, svc.simURL)
	if err != nil {
		return sum, err
	}
	if cfg.Hold {
		hold(ctx, cfg, sb.KubeconfigPath)
		return sum, nil
	}
	section(cfg, fmt.Sprintf("Cost optimizer: %s -> %s; the Analyzer's analysis", current, target))
	p, err := analyzeAndPlan(ctx, cfg, svc)
	if err != nil {
		return sum, err
	}
	section(cfg, "Executing")
	return rebalance(ctx, cfg, sb, svc, cloudClient, p, old, before)
}

// setUp creates the namespace, the group and its workloads, and returns
// the group's nodes and its fleet as the simulator bills it.
func setUp(ctx context.Context, cfg Config, sb *sandbox.Sandbox, c *vpsie.Client, simURL string) ([]*corev1.Node, fleet, error) {
	if err := createNamespace(ctx, sb, cfg.Namespace); err != nil {
		return nil, fleet{}, fmt.Errorf("namespace %s: %w", cfg.Namespace, err)
	}
	nodes, err := createGroup(ctx, cfg, sb, c, simURL)
	if err != nil {
		return nil, fleet{}, err
	}
	w := workloads(cfg.Namespace)
	if err := createWorkloads(ctx, sb, w); err != nil {
		return nil, fleet{}, fmt.Errorf("workloads: %w", err)
	}
	if err := waitSettled(ctx, sb, w, cfg.Nodes); err != nil {
		return nil, fleet{}, err
	}
	cfg.logf("running: Deployments web (3, PDB minAvailable 2), api (4, PDB maxUnavailable 1), singleton (1), DaemonSet node-agent, StatefulSet db (2)")
	ms, err := groupMachines(ctx, cfg, c)
	if err != nil {
		return nil, fleet{}, err
	}
	return nodes, priceFleet(ms), nil
}

func analyzeAndPlan(ctx context.Context, cfg Config, svc *services) (*rebalancerv1.RebalancePlan, error) {
	a, err := analyze(ctx, cfg, svc)
	if err != nil {
		return nil, err
	}
	section(cfg, "The Planner's plan")
	return plan(ctx, cfg, svc, a)
}

// rebalance runs the plan under the invariant monitor and gathers the
// summary from what happened.
func rebalance(ctx context.Context, cfg Config, sb *sandbox.Sandbox, svc *services, c *vpsie.Client,
	p *rebalancerv1.RebalancePlan, old []*corev1.Node, before fleet) (Summary, error) {
	seen := &events{}
	names := make([]string, len(old))
	for i, n := range old {
		names[i] = n.Name
	}
	mc := invariants.Config{
		Client: sb.Client, Namespace: cfg.Namespace, Group: cfg.Namespace, Floor: int(p.GetMinHealthyNodes()),
		OldNodes: names, BlueGreen: cfg.Strategy == "blue-green", VMs: c, Forced: seen.forced,
	}
	if cfg.Mode == ModeManaged {
		mc.Cluster = &invariants.ManagedCluster{API: c, ID: catalog.ID("cluster", cfg.Namespace)}
	}
	m, err := invariants.Start(ctx, mc)
	if err != nil {
		return Summary{}, err
	}
	start := time.Now()
	runCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	exec, err := execute(runCtx, svc, p)
	if err == nil {
		exec, err = follow(runCtx, cfg, svc, exec, seen)
	}
	elapsed := time.Since(start)
	violations := m.Finish(ctx) // stops the monitor's informers, whatever happened
	if err != nil {
		return Summary{}, err
	}
	sum, err := summarize(ctx, cfg, sb, c, exec.GetResult(), before)
	sum.Status, sum.Violations = exec.GetStatus(), violations
	cfg.printf("\n")
	for _, v := range violations {
		cfg.printf("invariant violated: %s\n", v)
	}
	cfg.logf("rebalance: %d nodes in %s, %.1f nodes/minute", sum.Replaced, elapsed.Round(100*time.Millisecond),
		float64(sum.Replaced)/elapsed.Minutes())
	return sum, err
}

// summarize reads the result and the simulator's VMs after the rebalance.
func summarize(ctx context.Context, cfg Config, sb *sandbox.Sandbox, c *vpsie.Client, r *rebalancerv1.RebalanceResult, before fleet) (Summary, error) {
	sum := Summary{Replaced: r.GetNodesReplaced(), Total: r.GetNodesTotal(), Duration: r.GetDuration().AsDuration(), Before: before}
	ms, err := groupMachines(ctx, cfg, c)
	if err != nil {
		return sum, err
	}
	sum.After = priceFleet(ms)
	sum.Orphans, err = orphans(ctx, sb, ms, cfg.Namespace)
	return sum, err
}

// section starts a part of the demo's output.
func section(cfg Config, title string) {
	cfg.printf("\n== %s\n", title)
}
