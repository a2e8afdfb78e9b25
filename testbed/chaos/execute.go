package chaos

import (
	"context"
	"errors"
	"fmt"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/invariants"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
)

var strategyEnums = map[string]rebalancerv1.RebalanceStrategy{
	"rolling":    rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
	"surge":      rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
	"blue-green": rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN,
}

// makePlan asks the Planner for the plan that replaces every node of the
// group, under the group policy plantest gives it with the campaign's
// short timeouts.
func (r *run) makePlan(ctx context.Context, p *planner) (*rebalancerv1.RebalancePlan, error) {
	return p.plan(ctx, r.sb.Autoscaler, plantest.Spec{
		Namespace: r.ns, Group: r.ns, Strategy: strategyEnums[r.sc.Strategy], Replace: r.old, GroupSize: r.sc.Size,
		Current: current, Target: target, DrainTimeout: r.cfg.DrainTimeout, ProvisionTimeout: r.cfg.ProvisionTimeout,
	})
}

// execution is the run's execution as the watch saw it.
type execution struct {
	id string
	// sawFinal says its final event came within the run's time.
	sawFinal bool
}

// execute submits the plan under the invariant monitor with the faults
// armed, follows its events to the final one (or RunTimeout), and clears
// the cloud's faults: from then on the cluster is left to settle.
func (r *run) execute(ctx context.Context, plan *rebalancerv1.RebalancePlan, in *injector) (execution, error) {
	if err := r.sim.SetFaults(r.cloudFaults()); err != nil {
		return execution{}, err
	}
	defer r.sim.ResetFaults()
	id, err := r.submit(ctx, plan)
	if err != nil {
		return execution{}, err
	}
	for _, f := range r.upFrontFaults() {
		in.record(f)
	}
	runCtx, cancel := context.WithTimeout(ctx, r.cfg.RunTimeout)
	defer cancel()
	stopPoll := r.stopWhenStoredFinal(runCtx, id, cancel)
	werr := follow(runCtx, r.js, id, in.on)
	stopPoll()
	in.pending.Wait() // every killed process is back before the verdict
	ex := execution{id: id, sawFinal: in.sawFinal()}
	if werr != nil && !errors.Is(werr, context.DeadlineExceeded) && !errors.Is(werr, context.Canceled) {
		return ex, werr
	}
	return ex, nil
}

// finalEventGrace is how long the final event may lag behind the final
// status in the store before the watch gives up on it.
const finalEventGrace = 10 * time.Second

// stopWhenStoredFinal calls stop once the execution's record has been
// final for finalEventGrace: a final event that has not come by then was
// lost (the end checks say so), and the run need not wait out its time.
// It returns the function that ends the polling.
func (r *run) stopWhenStoredFinal(ctx context.Context, id string, stop func()) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if r.storedFinal(ctx, id) {
				sleep(ctx, finalEventGrace)
				stop()
				return
			}
			sleep(ctx, 2*time.Second)
		}
	}()
	return func() { cancel(); <-done }
}

// storedFinal reports whether a replica answers that the execution is final.
func (r *run) storedFinal(ctx context.Context, id string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	resp, err := r.fleet.live().api.GetExecution(ctx, &rebalancerv1.GetExecutionRequest{ExecutionId: id})
	return err == nil && finalStatus(resp.GetExecution().GetStatus())
}

// submit hands the plan to a replica drawn from the seed, and to the
// next one if that one refuses to answer.
func (r *run) submit(ctx context.Context, plan *rebalancerv1.RebalancePlan) (string, error) {
	var err error
	for i := range len(r.fleet) {
		rep := r.fleet[(int(r.sc.Seed)+i)%len(r.fleet)]
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		var resp *rebalancerv1.ExecutePlanResponse
		resp, err = rep.api.ExecutePlan(callCtx, &rebalancerv1.ExecutePlanRequest{Plan: plan})
		cancel()
		if err == nil {
			return resp.GetExecution().GetExecutionId(), nil
		}
	}
	return "", fmt.Errorf("ExecutePlan: %w", err)
}

// superviseFleet restarts a replica that exited without being killed, as
// its pod would be, and notes it: an Executor should ride out what the
// campaign does to the others. It returns the function that stops it.
func (r *run) superviseFleet(ctx context.Context, in *injector) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			for _, rep := range r.fleet {
				if _, byItself := rep.down(); byItself {
					in.note("%s exited by itself (log %s)", rep.id, rep.process().LogPath())
					_ = rep.start() // a failed start shows as the next exit
				}
			}
			sleep(ctx, 500*time.Millisecond)
		}
	}()
	return func() { cancel(); <-done }
}

// startMonitor starts the invariant monitor on the group before the plan
// is submitted; forced lists the pods the execution reported deleting
// past their budget.
func (r *run) startMonitor(ctx context.Context, plan *rebalancerv1.RebalancePlan, forced func() []string) (*invariants.Monitor, error) {
	names := make([]string, len(r.old))
	for i, n := range r.old {
		names[i] = n.Name
	}
	cfg := invariants.Config{
		Client: r.sb.Client, Namespace: r.ns, Group: r.ns, Floor: int(plan.GetMinHealthyNodes()), OldNodes: names,
		BlueGreen: r.sc.Strategy == "blue-green", VMs: r.cloud, Forced: forced,
	}
	if r.sc.Mode == "managed" {
		cfg.Cluster = &invariants.ManagedCluster{API: r.cloud, ID: r.clusterID()}
	}
	return invariants.Start(ctx, cfg)
}
