package demo

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// settleTimeout bounds the wait for the workloads to run and their PDBs to
// be counted by the disruption controller.
const settleTimeout = 2 * time.Minute

// workloads is what runs on the group: Deployments guarded by PDBs
// (minAvailable and maxUnavailable), a single replica, a DaemonSet and a
// StatefulSet with its headless Service, every pod pinned to the group.
// The fixtures' bare and do-not-disrupt pods are left out on purpose:
// they make their nodes unsafe, and the demo replaces every node.
func workloads(ns string) fixtures.Workloads {
	return fixtures.Workloads{
		Deployments: []*appsv1.Deployment{
			fixtures.Deployment(ns, "web", ns, 3),
			fixtures.Deployment(ns, "api", ns, 4),
			fixtures.Deployment(ns, "singleton", ns, 1),
		},
		PDBs: []*policyv1.PodDisruptionBudget{
			fixtures.PDBMinAvailable(ns, "web", 2),
			fixtures.PDBMaxUnavailable(ns, "api", 1),
		},
		DaemonSets:   []*appsv1.DaemonSet{fixtures.DaemonSet(ns, "node-agent", ns)},
		StatefulSets: []*appsv1.StatefulSet{fixtures.StatefulSet(ns, "db", ns, 2)},
		Services:     []*corev1.Service{fixtures.HeadlessService(ns, "db")},
	}
}

// createWorkloads creates w. (fixtures.Workloads.Create needs a test.)
func createWorkloads(ctx context.Context, sb *sandbox.Sandbox, w fixtures.Workloads) error {
	c, opts := sb.Client, metav1.CreateOptions{}
	for _, o := range w.Services {
		if _, err := c.CoreV1().Services(o.Namespace).Create(ctx, o, opts); err != nil {
			return err
		}
	}
	for _, o := range w.PDBs {
		if _, err := c.PolicyV1().PodDisruptionBudgets(o.Namespace).Create(ctx, o, opts); err != nil {
			return err
		}
	}
	for _, o := range w.Deployments {
		if _, err := c.AppsV1().Deployments(o.Namespace).Create(ctx, o, opts); err != nil {
			return err
		}
	}
	for _, o := range w.DaemonSets {
		if _, err := c.AppsV1().DaemonSets(o.Namespace).Create(ctx, o, opts); err != nil {
			return err
		}
	}
	for _, o := range w.StatefulSets {
		if _, err := c.AppsV1().StatefulSets(o.Namespace).Create(ctx, o, opts); err != nil {
			return err
		}
	}
	return nil
}

// waitSettled waits until every workload is fully ready (the DaemonSet on
// each of nodes) and every PDB has counted its pods; before that the API
// server refuses every eviction, whatever the budget.
func waitSettled(ctx context.Context, sb *sandbox.Sandbox, w fixtures.Workloads, nodes int) error {
	var pending string
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, settleTimeout, true, func(ctx context.Context) (bool, error) {
		pending = firstUnsettled(ctx, sb, w, int32(nodes))
		return pending == "", nil
	})
	if err != nil {
		return fmt.Errorf("workloads not settled (%s): %w", pending, err)
	}
	return nil
}

// firstUnsettled names the first workload or PDB not settled yet, or "".
func firstUnsettled(ctx context.Context, sb *sandbox.Sandbox, w fixtures.Workloads, nodes int32) string {
	c, get := sb.Client, metav1.GetOptions{}
	for _, o := range w.Deployments {
		d, err := c.AppsV1().Deployments(o.Namespace).Get(ctx, o.Name, get)
		if err != nil || d.Status.ReadyReplicas != *o.Spec.Replicas {
			return "deployment " + o.Name
		}
	}
	for _, o := range w.StatefulSets {
		s, err := c.AppsV1().StatefulSets(o.Namespace).Get(ctx, o.Name, get)
		if err != nil || s.Status.ReadyReplicas != *o.Spec.Replicas {
			return "statefulset " + o.Name
		}
	}
	for _, o := range w.DaemonSets {
		d, err := c.AppsV1().DaemonSets(o.Namespace).Get(ctx, o.Name, get)
		if err != nil || d.Status.NumberReady != nodes {
			return "daemonset " + o.Name
		}
	}
	for _, o := range w.PDBs {
		p, err := c.PolicyV1().PodDisruptionBudgets(o.Namespace).Get(ctx, o.Name, get)
		if err != nil || p.Status.ObservedGeneration != p.Generation || p.Status.ExpectedPods == 0 ||
			p.Status.CurrentHealthy != p.Status.ExpectedPods {
			return "pdb " + o.Name
		}
	}
	return ""
}
