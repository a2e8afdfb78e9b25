package nodestep

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// Kube is the part of the Kubernetes API the steps call, nothing more.
// Each method answers as the API server does: errors test with
// k8s.io/apimachinery/pkg/api/errors (404 IsNotFound, 409 IsConflict,
// 429 IsTooManyRequests...), which the steps and evictcodes.go decide on.
// NewKube adapts a clientset.
type Kube interface {
	NodeAPI
	PodAPI
	WorkloadAPI
	SecretAPI
}

// SecretAPI reads the user-data template of the vm mode.
type SecretAPI interface {
	GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error)
}

// NodeAPI reads and changes Nodes.
type NodeAPI interface {
	GetNode(ctx context.Context, name string) (*corev1.Node, error)
	// ListNodes and WatchNodes take the options a reflector passes (label
	// selector, resource version), so a wait can list then watch.
	ListNodes(ctx context.Context, opts metav1.ListOptions) (*corev1.NodeList, error)
	WatchNodes(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
	// PatchNode applies a JSON, merge or strategic merge patch.
	PatchNode(ctx context.Context, name string, pt types.PatchType, patch []byte) error
	DeleteNode(ctx context.Context, name string) error
}

// PodAPI moves pods off a node.
type PodAPI interface {
	// PodsOn lists the pods bound to node, in every namespace.
	PodsOn(ctx context.Context, node string) ([]corev1.Pod, error)
	// PodsMatching lists a namespace's pods whose labels match selector
	// (a workload's pods, which a soak watches).
	PodsMatching(ctx context.Context, namespace string, selector labels.Selector) ([]corev1.Pod, error)
	// Evict asks the Eviction API to evict a pod (policy/v1).
	Evict(ctx context.Context, eviction *policyv1.Eviction) error
	DeletePod(ctx context.Context, namespace, name string, opts metav1.DeleteOptions) error
	// PDBs lists a namespace's PodDisruptionBudgets.
	PDBs(ctx context.Context, namespace string) ([]*policyv1.PodDisruptionBudget, error)
}

// WorkloadAPI reads the controllers of pods and restarts Deployments.
type WorkloadAPI interface {
	GetDaemonSet(ctx context.Context, namespace, name string) (*appsv1.DaemonSet, error)
	GetReplicaSet(ctx context.Context, namespace, name string) (*appsv1.ReplicaSet, error)
	GetDeployment(ctx context.Context, namespace, name string) (*appsv1.Deployment, error)
	GetStatefulSet(ctx context.Context, namespace, name string) (*appsv1.StatefulSet, error)
	// PatchDeployment applies a merge patch to a Deployment.
	PatchDeployment(ctx context.Context, namespace, name string, pt types.PatchType, patch []byte) error
}
