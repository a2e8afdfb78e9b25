package nodestep

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// The health gate (issue 19). A batch that soaks (the canary; a blue-green
// drain batch under batchSoakTime) keeps each old node, drained and
// cordoned, while the workloads moved off it run on their new nodes for
// the soak time. A regression fails the node before its old VM goes, so
// the rollback can still give the workloads their old node back: it
// uncordons it and drains the replacement onto it. Peers soak on a timer
// alone (GKE's batch soak) or watch nothing (Karpenter); this watches what
// moved.

// SoakSteps gate a node of a soaking batch, after DrainSteps and before
// TerminateSteps.
var SoakSteps = []Step{{"soak", soaked, soak}}

// GateFailed is a soak's verdict against a node, a *Failure whose
// Regression names the workload or query: the engine reports it as the
// execution's reason to roll back.
type GateFailed struct {
	*Failure
	Regression Regression
}

func (e *GateFailed) Unwrap() error { return e.Failure }

// SoakTime is how long batch soaks; zero for none.
func SoakTime(p *rebalancerv1.RebalancePlan, batch int32) time.Duration {
	if batch < 1 || int(batch) > len(p.GetBatches()) {
		return 0
	}
	return p.GetBatches()[batch-1].GetSoakTime().AsDuration()
}

func soaked(n *Node) bool {
	_, nb := n.state()
	return nb.SoakPassed || n.Phase() >= rebalancerv1.NodePhase_NODE_PHASE_TERMINATING || SoakTime(n.r.x.Plan(), n.Batch) <= 0
}

// soak watches the moved workloads (and the group's health query) from
// the soak's start, persisted, to its end; the first regression fails the
// node, the end without one passes it.
func soak(ctx context.Context, n *Node) error {
	start, err := n.soakStart(ctx)
	if err != nil {
		return err
	}
	until := start.Add(SoakTime(n.r.x.Plan(), n.Batch))
	gate := n.healthGate(ctx)
	for {
		final := !n.r.now().Before(until)
		reg, err := n.regression(ctx, start, final, gate)
		if err != nil {
			return err
		}
		if reg != nil {
			return n.gateFailed(ctx, *reg)
		}
		if final {
			return n.gatePassed(ctx, start)
		}
		if err := n.r.env.sleep(ctx, min(n.r.env.Pace.soakPoll(), until.Sub(n.r.now()))); err != nil {
			return err
		}
	}
}

// soakStart is when the node's soak began, persisted with SOAK_STARTED
// the first time.
func (n *Node) soakStart(ctx context.Context) (time.Time, error) {
	_, nb := n.state()
	if !nb.SoakStartedAt.IsZero() {
		return nb.SoakStartedAt, nil
	}
	now := n.r.now()
	if err := n.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) { nb.SoakStartedAt = now }); err != nil {
		return time.Time{}, err
	}
	soak := SoakTime(n.r.x.Plan(), n.Batch)
	err := n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_SOAK_STARTED,
		map[string]string{"soak": soak.String(), "until": now.Add(soak).UTC().Format(time.RFC3339), "workloads": strings.Join(nb.Owners, ",")},
		"Soaking %s before %s goes: watching %s", soak, n.Old, workloadList(nb.Owners))
	// This run soaks from after SOAK_STARTED is stamped, so a reader
	// measuring between the events sees the whole soak; the stored start,
	// a moment earlier, is what a resumed soak counts from.
	return n.r.now(), err
}

// healthGate is the health query the soak evaluates: the live group's,
// which the plan's may not loosen, or the plan's when the group cannot be
// read.
func (n *Node) healthGate(ctx context.Context) *rebalancerv1.HealthGate {
	if live, err := n.r.x.LivePolicy(ctx); err == nil && live.GetHealthGate() != nil {
		return live.GetHealthGate()
	}
	return n.r.x.Plan().GetPolicy().GetHealthGate()
}

// regression looks once at every moved workload, then the health query.
// An API error is retried at the next look, unless the soak is over: an
// unanswered last look fails closed.
func (n *Node) regression(ctx context.Context, since time.Time, final bool, gate *rebalancerv1.HealthGate) (*Regression, error) {
	_, nb := n.state()
	var lookErr error
	for _, owner := range nb.Owners {
		reg, err := n.r.workloadRegression(ctx, owner, since, final)
		if reg != nil || ctx.Err() != nil {
			return reg, ctx.Err()
		}
		lookErr = errors.Join(lookErr, err)
	}
	if reg, err := n.queryRegression(ctx, gate); reg != nil || err != nil {
		lookErr = errors.Join(lookErr, err)
		if reg != nil {
			return reg, nil
		}
	}
	if lookErr != nil && final {
		return &Regression{Subject: "the soak's last look", What: lookErr.Error()}, nil
	}
	if lookErr != nil {
		n.r.env.Logger.Warn("soak look failed; looking again", "node", n.Old, "error", lookErr)
	}
	return nil, nil
}

// queryRegression evaluates the health query, if the group sets one.
func (n *Node) queryRegression(ctx context.Context, gate *rebalancerv1.HealthGate) (*Regression, error) {
	q := gate.GetPrometheusQuery()
	if q == "" {
		return nil, nil
	}
	if n.r.env.HealthQuery == nil {
		return &Regression{Subject: q, What: "the group sets a health query but this executor has no --prometheus-url"}, nil
	}
	value, found, err := n.r.env.HealthQuery.Value(ctx, q)
	if err != nil || !found || value <= gate.GetMaxValue() {
		return nil, err
	}
	return &Regression{Subject: q, What: fmt.Sprintf("value %s above %s", num(value), num(gate.GetMaxValue()))}, nil
}

func (n *Node) gateFailed(ctx context.Context, reg Regression) error {
	if err := n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_FAILED,
		map[string]string{"subject": reg.Subject, "what": reg.What},
		"Health gate failed after %s moved: %s", n.Old, reg.String()); err != nil {
		return err
	}
	return &GateFailed{Regression: reg, Failure: failure(rebalancerv1.NodePhase_NODE_PHASE_DRAINED,
		"health gate: %s; %s is kept for the rollback", reg.String(), n.Old)}
}

func (n *Node) gatePassed(ctx context.Context, start time.Time) error {
	if err := n.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) { nb.SoakPassed = true }); err != nil {
		return err
	}
	return n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_PASSED, nil,
		"Health gate passed: the workloads moved off %s ran %s without a regression", n.Old, n.r.now().Sub(start).Round(time.Second))
}

func workloadList(owners []string) string {
	if len(owners) == 0 {
		return "no moved workload"
	}
	return strings.Join(owners, ", ")
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }
