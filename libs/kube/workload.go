package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Workload names a pod's controller: Kind, namespace and name. The zero
// value is a pod no controller owns.
type Workload struct {
	Kind, Namespace, Name string
}

// String is "Kind/namespace/name", "" for no controller.
func (w Workload) String() string {
	if w.Kind == "" {
		return ""
	}
	return w.Kind + "/" + w.Namespace + "/" + w.Name
}

// Controller is the object's direct controller (a pod's ReplicaSet, say),
// in the object's namespace.
func Controller(obj metav1.Object) Workload {
	ref := metav1.GetControllerOfNoCopy(obj)
	if ref == nil {
		return Workload{}
	}
	return Workload{Kind: ref.Kind, Namespace: obj.GetNamespace(), Name: ref.Name}
}

// ReplicaSetLookup finds a ReplicaSet by namespace and name, from a cache
// or the API; ok is false when it does not exist (or cannot be read).
type ReplicaSetLookup func(namespace, name string) (rs *appsv1.ReplicaSet, ok bool)

// OwningWorkload is the workload that scales the pod, as an operator names
// it: a ReplicaSet owned by a Deployment is reported as the Deployment.
// Any other controller is reported as it is; a ReplicaSet that cannot be
// looked up is reported as the ReplicaSet.
func OwningWorkload(pod *corev1.Pod, replicaSet ReplicaSetLookup) Workload {
	w := Controller(pod)
	if w.Kind != "ReplicaSet" {
		return w
	}
	rs, ok := replicaSet(w.Namespace, w.Name)
	if !ok {
		return w
	}
	if d := Controller(rs); d.Kind == "Deployment" {
		return d
	}
	return w
}

// DesiredReplicas reads spec.replicas of a Deployment, ReplicaSet or
// StatefulSet, which the API server defaults to 1 when unset.
func DesiredReplicas(replicas *int32) int32 {
	if replicas == nil {
		return 1
	}
	return *replicas
}
