package facts

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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

// ownerOf follows the controller reference: a ReplicaSet owned by a
// Deployment is reported as the Deployment, which is what scales.
func ownerOf(r Reader, p *corev1.Pod) owner {
	ref := metav1.GetControllerOfNoCopy(p)
	if ref == nil {
		return owner{}
	}
	switch ref.Kind {
	case "ReplicaSet":
		return replicaSetOwner(r, p.Namespace, ref.Name)
	case "StatefulSet":
		if s, ok := r.StatefulSet(p.Namespace, ref.Name); ok {
			return owner{kind: ref.Kind, name: ref.Name, replicas: replicasOrOne(s.Spec.Replicas)}
		}
	}
	return owner{kind: ref.Kind, name: ref.Name}
}

func replicaSetOwner(r Reader, namespace, name string) owner {
	rs, ok := r.ReplicaSet(namespace, name)
	if !ok {
		return owner{kind: "ReplicaSet", name: name}
	}
	ref := metav1.GetControllerOfNoCopy(rs)
	if ref == nil || ref.Kind != "Deployment" {
		return owner{kind: "ReplicaSet", name: name, replicas: replicasOrOne(rs.Spec.Replicas)}
	}
	d, ok := r.Deployment(namespace, ref.Name)
	if !ok {
		return owner{kind: "Deployment", name: ref.Name}
	}
	o := owner{kind: "Deployment", name: ref.Name, replicas: replicasOrOne(d.Spec.Replicas)}
	// The cache drops only the pod template: replicas, paused and the
	// strategy, all the answer reads, are kept.
	o.surges, o.noSurge = rollout.SurgesOneReplica(d)
	return o
}

// replicasOrOne reads spec.replicas, which the API server defaults to 1.
func replicasOrOne(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}
