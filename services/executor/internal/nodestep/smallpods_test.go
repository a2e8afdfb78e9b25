package nodestep

import (
	"context"
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

// The small fake's pods, budgets and workloads.

func (k *smallKube) PodsOn(_ context.Context, node string) ([]corev1.Pod, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []corev1.Pod
	for _, p := range k.pods {
		if p.Spec.NodeName == node {
			out = append(out, *p.DeepCopy())
		}
	}
	return out, nil
}

func (k *smallKube) PodsMatching(_ context.Context, namespace string, selector labels.Selector) ([]corev1.Pod, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []corev1.Pod
	for _, p := range k.pods {
		if p.Namespace == namespace && selector.Matches(labels.Set(p.Labels)) {
			out = append(out, *p.DeepCopy())
		}
	}
	return out, nil
}

// Evict answers as the Eviction API: 404 for no such pod, 409 when the UID
// precondition fails, then the answer set for the pod, else admitted.
func (k *smallKube) Evict(_ context.Context, e *policyv1.Eviction) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	name := e.Namespace + "/" + e.Name
	k.writes = append(k.writes, "evict pod "+name)
	p, ok := k.pods[name]
	if !ok {
		return apierrors.NewNotFound(corev1.Resource("pods"), e.Name)
	}
	if uid := e.DeleteOptions.Preconditions.UID; uid != nil && *uid != p.UID {
		return apierrors.NewConflict(corev1.Resource("pods"), e.Name, fmt.Errorf("UID %s is not %s", p.UID, *uid))
	}
	if err := k.evictions[name]; err != nil {
		return err
	}
	delete(k.pods, name)
	return nil
}

func (k *smallKube) DeletePod(_ context.Context, namespace, name string, _ metav1.DeleteOptions) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.writes = append(k.writes, "delete pod "+namespace+"/"+name)
	if _, ok := k.pods[namespace+"/"+name]; !ok {
		return apierrors.NewNotFound(corev1.Resource("pods"), name)
	}
	delete(k.pods, namespace+"/"+name)
	return nil
}

func (k *smallKube) PDBs(_ context.Context, namespace string) ([]*policyv1.PodDisruptionBudget, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*policyv1.PodDisruptionBudget
	for _, p := range k.pdbs {
		if p.Namespace == namespace {
			out = append(out, p.DeepCopy())
		}
	}
	return out, nil
}

func (k *smallKube) GetDaemonSet(_ context.Context, namespace, name string) (*appsv1.DaemonSet, error) {
	return get(k, k.daemonSets, "daemonsets", namespace, name)
}

func (k *smallKube) GetReplicaSet(_ context.Context, namespace, name string) (*appsv1.ReplicaSet, error) {
	return get(k, k.replicaSets, "replicasets", namespace, name)
}

func (k *smallKube) GetDeployment(_ context.Context, namespace, name string) (*appsv1.Deployment, error) {
	return get(k, k.deployments, "deployments", namespace, name)
}

func (k *smallKube) GetStatefulSet(_ context.Context, _, name string) (*appsv1.StatefulSet, error) {
	return nil, apierrors.NewNotFound(appsv1.Resource("statefulsets"), name)
}

func (k *smallKube) PatchDeployment(_ context.Context, namespace, name string, pt types.PatchType, patch []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	d, ok := k.deployments[namespace+"/"+name]
	if !ok {
		return apierrors.NewNotFound(appsv1.Resource("deployments"), name)
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if doc, err = applyPatch(doc, pt, patch); err != nil {
		return err
	}
	next := &appsv1.Deployment{}
	if err := json.Unmarshal(doc, next); err != nil {
		return err
	}
	k.deployments[namespace+"/"+name] = next
	k.writes = append(k.writes, fmt.Sprintf("patch deployment %s/%s (%s)", namespace, name, pt))
	return nil
}

func get[T interface{ DeepCopy() T }](k *smallKube, m map[string]T, resource, namespace, name string) (T, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	obj, ok := m[namespace+"/"+name]
	if !ok {
		var none T
		return none, apierrors.NewNotFound(appsv1.Resource(resource), name)
	}
	return obj.DeepCopy(), nil
}
