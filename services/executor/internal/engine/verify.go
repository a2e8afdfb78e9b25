package engine

import (
	"context"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

func verified(n *nodeRun) bool {
	_, nb := n.state()
	return nb.Verified || n.phase() >= rebalancerv1.NodePhase_NODE_PHASE_TERMINATING
}

// verify waits, within the drain timeout counted from its own start, until
// every workload that lost pods on the old node has its available replicas
// back: only then may the old VM go.
func verify(ctx context.Context, n *nodeRun) error {
	_, nb := n.state()
	if nb.VerifyStartedAt.IsZero() {
		now := n.x.now()
		if err := n.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) { nb.VerifyStartedAt = now }); err != nil {
			return err
		}
		nb.VerifyStartedAt = now
	}
	deadline := nb.VerifyStartedAt.Add(n.x.plan().GetPolicy().GetDrainTimeout().AsDuration())
	if err := n.x.waitAvailable(ctx, nb.Owners, deadline); err != nil {
		return err
	}
	if err := n.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) { nb.Verified = true }); err != nil {
		return err
	}
	return n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_WORKLOADS_VERIFIED, n.old, n.batch,
		map[string]string{"workloads": strings.Join(nb.Owners, ",")},
		"Workloads moved off %s are available again: %s", n.old, strings.Join(nb.Owners, ", "))
}

// waitAvailable polls the owners until each is available, or fails at deadline.
func (x *execution) waitAvailable(ctx context.Context, owners []string, deadline time.Time) error {
	for {
		var missing []string
		for _, o := range owners {
			ok, err := x.available(ctx, o)
			if err != nil {
				return err
			}
			if !ok {
				missing = append(missing, o)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		if !x.now().Before(deadline) {
			return failure(rebalancerv1.NodePhase_NODE_PHASE_DRAINED, "workloads not available again in time: %s", strings.Join(missing, ", "))
		}
		if err := x.sleep(ctx, x.deps.Pace.Poll); err != nil {
			return err
		}
	}
}

// available reports whether an owner ("Kind/namespace/name") has all its
// replicas available. A ReplicaSet is judged by its Deployment when it has
// one; a workload that is gone has nothing left to wait for.
func (x *execution) available(ctx context.Context, owner string) (bool, error) {
	kind, rest, _ := strings.Cut(owner, "/")
	ns, name, _ := strings.Cut(rest, "/")
	apps := x.deps.Kube.AppsV1()
	switch kind {
	case "ReplicaSet":
		rs, err := apps.ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if ref := metav1.GetControllerOf(rs); ref != nil && ref.Kind == "Deployment" {
			return x.available(ctx, "Deployment/"+ns+"/"+ref.Name)
		}
		return rs.Status.AvailableReplicas >= replicas(rs.Spec.Replicas), nil
	case "Deployment":
		d, err := apps.Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return err == nil && deploymentAvailable(d), err
	case "StatefulSet":
		s, err := apps.StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return err == nil && s.Status.AvailableReplicas >= replicas(s.Spec.Replicas), err
	}
	return true, nil // other owners (Jobs, custom controllers) are not judged here
}

func deploymentAvailable(d *appsv1.Deployment) bool {
	return d.Status.ObservedGeneration >= d.Generation && d.Status.AvailableReplicas >= replicas(d.Spec.Replicas)
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}
