// Package facts reads, from the cluster state, what the safety checks and
// the priority score need to know about a group's nodes: which are
// candidates and why the others are not, and per candidate the pods a
// drain would move, with their owners, budgets, storage and opt-outs.
package facts

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/binpack"
)

// Reader is the cluster state facts come from (the informer caches).
type Reader interface {
	PodsOnNode(node string) []*corev1.Pod
	PDBs(namespace string) []*policyv1.PodDisruptionBudget
	ReplicaSet(namespace, name string) (*appsv1.ReplicaSet, bool)
	Deployment(namespace, name string) (*appsv1.Deployment, bool)
	StatefulSet(namespace, name string) (*appsv1.StatefulSet, bool)
	PersistentVolumeClaim(namespace, name string) (*corev1.PersistentVolumeClaim, bool)
	PersistentVolume(name string) (*corev1.PersistentVolume, bool)
}

// Member is one node of the group.
type Member struct {
	Node *corev1.Node
	// Exclusion says why the node is not a candidate; empty for a candidate.
	Exclusion string
	// Serving: Ready and not cordoned, so the node counts toward the
	// group's capacity (kube.NodeServing: a node still carrying the
	// not-ready taint is not Ready). Schedulable: not cordoned.
	Serving, Schedulable bool
	// Draining: cordoned and being emptied by someone (see draining).
	Draining bool
	// Pods are the pods a drain would move, by namespace and name.
	Pods []*Pod
	// NodeBound are the DaemonSet and mirror pods: they are not moved, they
	// come back on the node's replacement (and take room there).
	NodeBound []Bound
	// Requested is what every pod holding room on the node requests
	// (all but finished ones), read for every member.
	Requested binpack.Resources
	// Staying are, for a member that is not a candidate, the pods that
	// stay on it (all but finished and terminating ones): the fit check
	// counts them for pod anti-affinity and topology spread.
	Staying []*corev1.Pod
}

// Candidate reports whether the node is a candidate for replacement.
func (m *Member) Candidate() bool { return m.Exclusion == "" }

// Pod is a pod a drain would move.
type Pod struct {
	Pod *corev1.Pod
	// Workload is the pod as the API reports it.
	Workload *rebalancerv1.Workload
	// PDBs are the budgets whose selectors match the pod, by name.
	PDBs []*policyv1.PodDisruptionBudget
	// LocalStorage describes each volume whose data stays on the node,
	// e.g. `emptyDir "scratch"`.
	LocalStorage []string
	// Need is what the pod requests of a node.
	Need binpack.Resources
	// Surges: the pod's owner is a Deployment of one replica whose rollout
	// starts a new pod and waits for it to be available before deleting
	// this one. When the policy rolls out single replicas, the Executor
	// moves the pod that way instead of evicting it: the workload stays
	// up and no budget is asked. NoSurge says why not, for a Deployment
	// of one replica that does not surge (e.g. "its Deployment's strategy
	// is Recreate"); both are unset for other owners.
	Surges  bool
	NoSurge string
}

// Bound is a pod that stays with its node, and what it requests.
type Bound struct {
	Pod  *corev1.Pod
	Need binpack.Resources
}

// Key is "namespace/name", how messages name the pod.
func (p *Pod) Key() string { return p.Pod.Namespace + "/" + p.Pod.Name }

// Unreplicated reports whether no controller would recreate the pod.
func (p *Pod) Unreplicated() bool { return p.Workload.GetOwnerKind() == "" }
