package state

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/tools/cache"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// Index names. Each turns a per-request question into a map lookup, so an
// analysis costs what the group holds, not what the cluster holds.
const (
	// podsByNode indexes pods by spec.nodeName: a node's pods in O(pods on it).
	podsByNode = "spec.nodeName"
	// nodesByGroup indexes nodes by their NodeGroup label: a group's members
	// in O(members).
	nodesByGroup = "nodegroup"
)

func podNodeName(obj any) ([]string, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok || pod.Spec.NodeName == "" {
		return nil, nil
	}
	return []string{pod.Spec.NodeName}, nil
}

func nodeGroupLabel(obj any) ([]string, error) {
	node, ok := obj.(*corev1.Node)
	if !ok {
		return nil, nil
	}
	if group, ok := node.Labels[v1alpha1.LabelNodeGroup]; ok && group != "" {
		return []string{group}, nil
	}
	return nil, nil
}

// lastApplied is kubectl's copy of the whole object in an annotation; it
// can be as large as the object itself and nothing here reads it.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// slim is the informers' transform: it drops what the Analyzer never reads
// before an object enters a cache. managedFields often outweigh the rest
// of an object; a controller's pod template is only read through its pods.
// It runs on every object an informer receives, so it must be idempotent.
func slim(obj any) (any, error) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tomb, nil
	}
	if m, err := meta.Accessor(obj); err == nil {
		m.SetManagedFields(nil)
		if _, ok := m.GetAnnotations()[lastApplied]; ok {
			annotations := make(map[string]string, len(m.GetAnnotations())-1)
			for k, v := range m.GetAnnotations() {
				if k != lastApplied {
					annotations[k] = v
				}
			}
			m.SetAnnotations(annotations)
		}
	}
	switch o := obj.(type) {
	case *appsv1.ReplicaSet:
		o.Spec.Template = corev1.PodTemplateSpec{}
	case *appsv1.Deployment:
		o.Spec.Template = corev1.PodTemplateSpec{}
	case *appsv1.StatefulSet:
		o.Spec.Template = corev1.PodTemplateSpec{}
		o.Spec.VolumeClaimTemplates = nil
	}
	return obj, nil
}

func indexers(extra cache.Indexers) cache.Indexers {
	out := cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}
	for name, f := range extra {
		out[name] = f
	}
	return out
}
