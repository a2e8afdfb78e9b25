package chaos

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// settleWait bounds the wait for the workloads to run and their budgets
// to be counted by the disruption controller.
const settleWait = time.Minute

// createWorkloads creates each Deployment of the scenario, pinned to the
// group, with its PDB.
func (r *run) createWorkloads(ctx context.Context) error {
	c, opts := r.sb.Client, metav1.CreateOptions{}
	for _, w := range r.sc.Workloads {
		pdb := fixtures.PDBMaxUnavailable(r.ns, w.Name, w.MaxUnavailable)
		if _, err := c.PolicyV1().PodDisruptionBudgets(r.ns).Create(ctx, pdb, opts); err != nil {
			return fmt.Errorf("pdb %s: %w", w.Name, err)
		}
		d := fixtures.Deployment(r.ns, w.Name, r.ns, w.Replicas)
		if _, err := c.AppsV1().Deployments(r.ns).Create(ctx, d, opts); err != nil {
			return fmt.Errorf("deployment %s: %w", w.Name, err)
		}
	}
	return nil
}

// waitWorkloads waits until every Deployment is ready and every budget has
// counted its pods: before that the API server refuses every eviction.
func (r *run) waitWorkloads(ctx context.Context) error {
	var pending string
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, settleWait, true, func(ctx context.Context) (bool, error) {
		pending = r.firstUnsettled(ctx)
		return pending == "", nil
	})
	if err != nil {
		return fmt.Errorf("workloads not settled (%s): %w", pending, err)
	}
	return nil
}

// firstUnsettled names the first workload or budget not settled yet, or "".
func (r *run) firstUnsettled(ctx context.Context) string {
	c, get := r.sb.Client, metav1.GetOptions{}
	for _, w := range r.sc.Workloads {
		d, err := c.AppsV1().Deployments(r.ns).Get(ctx, w.Name, get)
		if err != nil || d.Status.ReadyReplicas != w.Replicas {
			return "deployment " + w.Name
		}
		p, err := c.PolicyV1().PodDisruptionBudgets(r.ns).Get(ctx, w.Name, get)
		if err != nil || p.Status.ObservedGeneration != p.Generation || p.Status.ExpectedPods != w.Replicas ||
			p.Status.CurrentHealthy != p.Status.ExpectedPods {
			return "pdb " + w.Name
		}
	}
	return ""
}
