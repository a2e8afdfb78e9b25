package nodestep

import (
	"context"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

func verified(n *Node) bool {
	_, nb := n.state()
	return nb.Verified || n.Phase() >= rebalancerv1.NodePhase_NODE_PHASE_TERMINATING
}

// verify waits, within the drain timeout counted from its own start, until
// every workload that lost pods on the old node has its available replicas
// back: only then may the old VM go.
func verify(ctx context.Context, n *Node) error {
	_, nb := n.state()
	if nb.VerifyStartedAt.IsZero() {
		now := n.r.now()
		if err := n.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) { nb.VerifyStartedAt = now }); err != nil {
			return err
		}
		nb.VerifyStartedAt = now
	}
	deadline := nb.VerifyStartedAt.Add(n.r.x.Plan().GetPolicy().GetDrainTimeout().AsDuration())
	if err := n.r.WaitAvailable(ctx, nb.Owners, deadline); err != nil {
		return err
	}
	if err := n.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) { nb.Verified = true }); err != nil {
		return err
	}
	return n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_WORKLOADS_VERIFIED,
		map[string]string{"workloads": strings.Join(nb.Owners, ",")},
		"Workloads moved off %s are available again: %s", n.Old, strings.Join(nb.Owners, ", "))
}

// WaitAvailable looks at the owners ("Kind/namespace/name") until each
// has its replicas available, or fails at deadline: again whenever a
// workload of their namespaces changes (over the caches), else every
// Poll. The rollback waits with it for every workload the execution moved.
func (r *Runner) WaitAvailable(ctx context.Context, owners []string, deadline time.Time) error {
	w := r.env.listen(workloadChanges(owners)...)
	defer w.stop()
	for {
		var missing []string
		for _, o := range owners {
			ok, err := r.available(ctx, parseWorkload(o))
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
		if !r.now().Before(deadline) {
			return failure(rebalancerv1.NodePhase_NODE_PHASE_DRAINED, "workloads not available again in time: %s", strings.Join(missing, ", "))
		}
		if err := w.wait(ctx, min(w.poll(), max(deadline.Sub(r.now()), time.Millisecond))); err != nil {
			return err
		}
	}
}

// workloadChanges are the changes that may make one of owners available:
// a ReplicaSet, Deployment or StatefulSet of their namespaces (a
// ReplicaSet is judged by its Deployment, whose name it alone knows).
func workloadChanges(owners []string) []change {
	namespaces := map[string]bool{}
	for _, o := range owners {
		namespaces[parseWorkload(o).Namespace] = true
	}
	inNamespaces := func(obj any) bool {
		m, ok := obj.(metav1.Object)
		return ok && namespaces[m.GetNamespace()]
	}
	return []change{{replicaSetKind, inNamespaces}, {deploymentKind, inNamespaces}, {statefulSetKind, inNamespaces}}
}

// available reports whether a workload has all its replicas available. A
// ReplicaSet is judged by its Deployment when it has one; a workload that
// is gone has nothing left to wait for.
func (r *Runner) available(ctx context.Context, w kube.Workload) (bool, error) {
	k := r.env.Kube
	switch w.Kind {
	case "ReplicaSet":
		rs, err := k.GetReplicaSet(ctx, w.Namespace, w.Name)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if d := kube.Controller(rs); d.Kind == "Deployment" {
			return r.available(ctx, d)
		}
		return rs.Status.AvailableReplicas >= kube.DesiredReplicas(rs.Spec.Replicas), nil
	case "Deployment":
		d, err := k.GetDeployment(ctx, w.Namespace, w.Name)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return err == nil && deploymentAvailable(d), err
	case "StatefulSet":
		s, err := k.GetStatefulSet(ctx, w.Namespace, w.Name)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return err == nil && s.Status.AvailableReplicas >= kube.DesiredReplicas(s.Spec.Replicas), err
	}
	return true, nil // other owners (Jobs, custom controllers) are not judged here
}

func deploymentAvailable(d *appsv1.Deployment) bool {
	return d.Status.ObservedGeneration >= d.Generation && d.Status.AvailableReplicas >= kube.DesiredReplicas(d.Spec.Replicas)
}

// parseWorkload reads a workload as kube.Workload.String writes it,
// "Kind/namespace/name", the form NodeBook.Owners holds.
func parseWorkload(s string) kube.Workload {
	kind, rest, _ := strings.Cut(s, "/")
	ns, name, _ := strings.Cut(rest, "/")
	return kube.Workload{Kind: kind, Namespace: ns, Name: name}
}
