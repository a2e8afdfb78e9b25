package vpsiesim

import (
	"context"
	"log/slog"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// kubeBackoff paces Node create and delete retries: the API server may be
// busy, but a boot should not take more than a few seconds longer for it.
var kubeBackoff = wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Jitter: 0.2, Steps: 6}

// join registers v as a Node, as a kubelet would; kwok then makes it Ready.
func (s *Sim) join(v *vm) {
	defer s.joining.Done()
	v.joinMu.Lock()
	defer v.joinMu.Unlock()
	s.mu.Lock()
	deleted, node := v.deleted, nodeFor(v)
	s.mu.Unlock()
	if deleted {
		return
	}
	nodes := s.opts.Kube.CoreV1().Nodes()
	err := wait.ExponentialBackoffWithContext(s.ctx, kubeBackoff, func(ctx context.Context) (bool, error) {
		_, err := nodes.Create(ctx, node, metav1.CreateOptions{})
		return err == nil || apierrors.IsAlreadyExists(err), nil
	})
	if err != nil {
		s.opts.Logger.Error("vm could not join", slog.String("hostname", v.hostname), slog.Any("error", err))
		return
	}
	v.joined = true
	s.mu.Lock()
	s.stats.NodesJoined++
	s.mu.Unlock()
	s.opts.Logger.Info("vm joined", slog.String("node", node.Name))
}

// leave removes v's Node, if it joined; a Node already gone is fine.
func (s *Sim) leave(v *vm) {
	v.joinMu.Lock()
	defer v.joinMu.Unlock()
	if !v.joined {
		return
	}
	nodes := s.opts.Kube.CoreV1().Nodes()
	err := wait.ExponentialBackoffWithContext(s.ctx, kubeBackoff, func(ctx context.Context) (bool, error) {
		err := nodes.Delete(ctx, v.hostname, metav1.DeleteOptions{})
		return err == nil || apierrors.IsNotFound(err), nil
	})
	if err != nil {
		s.opts.Logger.Error("node of deleted vm not removed", slog.String("node", v.hostname), slog.Any("error", err))
		return
	}
	v.joined = false
	s.mu.Lock()
	s.stats.NodesRemoved++
	s.mu.Unlock()
	s.opts.Logger.Info("vm left", slog.String("node", v.hostname))
}

// nodeFor is the Node a booted VM registers: named by its hostname, with
// the labels and taints its kubelet is started with (registration), its
// offering as instance type, its identifier as providerID, and the
// offering's capacity. The caller holds s.mu.
func nodeFor(v *vm) *corev1.Node {
	labels, taints := registration(v)
	labels[corev1.LabelHostname] = v.hostname
	labels[v1alpha1.LabelInstanceType] = v.offering.Name
	labels[corev1.LabelTopologyRegion] = v.dc.Name
	labels[corev1.LabelOSStable] = "linux"
	labels[corev1.LabelArchStable] = "amd64"
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              *resource.NewQuantity(int64(v.offering.CPU), resource.DecimalSI),
		corev1.ResourceMemory:           *resource.NewQuantity(int64(v.offering.RAMMB)<<20, resource.BinarySI),
		corev1.ResourceEphemeralStorage: *resource.NewQuantity(int64(v.offering.DiskGB)*1e9, resource.DecimalSI),
		corev1.ResourcePods:             *resource.NewQuantity(110, resource.DecimalSI),
	}
	j := v.json()
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: v.hostname, Labels: labels,
			Annotations: map[string]string{v1alpha1.AnnotationKwokNode: v1alpha1.KwokNodeValue},
		},
		Spec: corev1.NodeSpec{ProviderID: v1alpha1.ProviderID(v.identifier), Taints: taints},
		Status: corev1.NodeStatus{
			Capacity: capacity, Allocatable: capacity.DeepCopy(),
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: j.PrivateIP},
				{Type: corev1.NodeExternalIP, Address: j.DefaultIP},
				{Type: corev1.NodeHostName, Address: v.hostname},
			},
		},
	}
}

// LabelKubeGroup names the VPSie node group of a managed Kubernetes node.
const LabelKubeGroup = "vpsie.com/k8s-group"

// registration is what v's kubelet registers with. A plain VM's kubelet
// takes the flags its user data gives (the tags are only VPSie's
// bookkeeping). VPSie bootstraps a managed node itself: it labels the node
// with its group and nothing else; in particular no rebalancer NodeGroup
// label, which the rebalancer sets when it claims the node.
func registration(v *vm) (map[string]string, []corev1.Taint) {
	if v.member != nil {
		return map[string]string{LabelKubeGroup: v.member.group.name}, nil
	}
	return kubeletFlags(v.userData)
}
