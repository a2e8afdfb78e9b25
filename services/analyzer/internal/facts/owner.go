package facts

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/rollout"
)

// owner is a pod's controlling owner as an operator names it.
type owner struct {
	kind, name string
	// replicas the owner wants; 0 when unknown (a Job, a custom controller,
	// or an owner not in the cache).
	replicas int32
	// surges and noSurge answer, for a Deployment of one replica, whether
	// its rollout starts the new pod before the old one goes, and why not
	// (libs/rollout, the Executor's own answer).
	surges  bool
	noSurge string
}

// ownerOf names the workload that scales the pod (kube.OwningWorkload: a
// ReplicaSet owned by a Deployment is reported as the Deployment) and
// reads how many replicas it wants from the cache.
func ownerOf(r Reader, p *corev1.Pod) owner {
	w := kube.OwningWorkload(p, r.ReplicaSet)
	o := owner{kind: w.Kind, name: w.Name}
	switch w.Kind {
	case "Deployment":
		if d, ok := r.Deployment(w.Namespace, w.Name); ok {
			o.replicas = kube.DesiredReplicas(d.Spec.Replicas)
			// The cache drops only the pod template: replicas, paused and
			// the strategy, all the answer reads, are kept.
			o.surges, o.noSurge = rollout.SurgesOneReplica(d)
		}
	case "ReplicaSet":
		if rs, ok := r.ReplicaSet(w.Namespace, w.Name); ok {
			o.replicas = kube.DesiredReplicas(rs.Spec.Replicas)
		}
	case "StatefulSet":
		if s, ok := r.StatefulSet(w.Namespace, w.Name); ok {
			o.replicas = kube.DesiredReplicas(s.Spec.Replicas)
		}
	}
	return o
}
