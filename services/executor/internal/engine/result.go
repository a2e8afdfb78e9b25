package engine

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// finish records the final status and the honest result, then does the
// end's tail (ending.go): NodeGroup, metrics, final event, lease. The
// write that makes the status final also marks the tail pending, so an
// owner killed anywhere after it leaves the tail to the next claimant.
func (x *execution) finish(ctx context.Context, status rebalancerv1.ExecutionStatus) error {
	result, err := x.result(ctx)
	if err != nil {
		return err
	}
	if result.GetNodesFailed() > 0 && status == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED {
		status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED // never "succeeded" with a failed node
	}
	now := x.now()
	if err := x.update(ctx, func(r *store.Record) {
		r.State.Status, r.State.Result, r.State.CompletedAt = status, result, timestamppb.New(now)
		r.State.EstimatedRemaining = durationpb.New(0)
		r.Book.Ending = &store.Ending{}
	}); err != nil {
		return err
	}
	return x.finishTail(ctx)
}

// finalKind is the last event of an execution ending in status.
func finalKind(status rebalancerv1.ExecutionStatus) rebalancerv1.EventKind {
	if status == rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED {
		return rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED
	}
	// FAILED, ROLLED_BACK and CANCELLED all end with EXECUTION_FAILED, the
	// exact status in its details (what progress.Final and watchers expect).
	return rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED
}

func (x *execution) countFinal(status rebalancerv1.ExecutionStatus, r *rebalancerv1.RebalanceResult) {
	p := x.plan()
	m, ns, g := x.deps.Metrics, p.GetNamespace(), p.GetNodeGroup()
	m.PlansExecuted.WithLabelValues(ns, g).Inc()
	if status != rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED {
		m.PlansFailed.WithLabelValues(ns, g).Inc()
	}
	m.Duration.WithLabelValues(ns, g).Observe(r.GetDuration().AsDuration().Seconds())
	m.Progress.WithLabelValues(ns, g).Set(100)
	x.countEnd(status) // metrics.go: rollbacks once, nothing left to estimate
}

// result counts from node states and prices the offerings actually running.
func (x *execution) result(ctx context.Context) (*rebalancerv1.RebalanceResult, error) {
	s := x.snapshot()
	p := x.plan()
	r := &rebalancerv1.RebalanceResult{NodesTotal: int32(len(s.GetNodes()))}
	if s.GetStartedAt() != nil {
		r.Duration = durationpb.New(x.now().Sub(s.GetStartedAt().AsTime()))
	}
	var book store.Book
	x.view(func(rec *store.Record) { book = rec.Book })
	prices := x.steps.Prices() // the one the savings checks read: no second catalogue listing
	r.PlannedMonthlySavingsCents = x.plannedSavings(ctx, prices)
	machines := replacementMachines{x: x, provisioning: book.Provisioning}
	for _, ne := range s.GetNodes() {
		switch ne.GetPhase() {
		case rebalancerv1.NodePhase_NODE_PHASE_DONE:
			r.NodesReplaced++
			saved, err := prices.Saving(ctx, p.GetOpportunity().GetCurrentOffering(), ne.GetNewOffering())
			if err != nil {
				return nil, err
			}
			r.RealizedMonthlySavingsCents += saved
		case rebalancerv1.NodePhase_NODE_PHASE_FAILED:
			r.NodesFailed++
		}
		if nb := book.Nodes[ne.GetOldNode()]; nb != nil {
			r.PdbViolations += int32(len(nb.ForceDeleted))
		}
		orphan, err := x.isOrphan(ctx, &machines, ne)
		if err != nil {
			return nil, err
		}
		if orphan {
			r.OrphanVms++
		}
	}
	return r, nil
}

// isOrphan reports a replacement VM that exists but is no Ready member of
// the group: a kept replacement must serve, a removed one must be gone.
func (x *execution) isOrphan(ctx context.Context, machines *replacementMachines, ne *rebalancerv1.NodeExecution) (bool, error) {
	providerID, err := machines.providerID(ctx, ne)
	if providerID == "" || err != nil {
		return false, err
	}
	if ne.GetPhase() != rebalancerv1.NodePhase_NODE_PHASE_DONE || ne.GetNewNode() == "" {
		return true, nil
	}
	node, err := machines.groupNode(ctx, ne.GetNewNode())
	if node == nil || err != nil {
		return err == nil, err // not a member: gone, or in no group or another
	}
	return !kube.NodeReady(node) || node.Spec.ProviderID != providerID, nil
}

// replacementMachines finds replacements' machines at VPSie, listing the
// managed cluster once per result.
type replacementMachines struct {
	x            *execution
	provisioning v1alpha1.Provisioning
	cluster      *cloud.KubeCluster
	// members are the group's nodes by name, listed once per result
	// rather than read one by one (a request a node at 100 nodes).
	members map[string]*corev1.Node
}

// groupNode is the group's node named name, nil when the group has none
// of that name (deleted, or not the group's).
func (m *replacementMachines) groupNode(ctx context.Context, name string) (*corev1.Node, error) {
	if m.members == nil {
		group := m.x.plan().GetNodeGroup()
		list, err := m.x.deps.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.NodeSelector(group)})
		if err != nil {
			return nil, fmt.Errorf("list nodes of group %s: %w", group, err)
		}
		m.members = make(map[string]*corev1.Node, len(list.Items))
		for i := range list.Items {
			m.members[list.Items[i].Name] = &list.Items[i]
		}
	}
	return m.members[name], nil
}

// providerID is the providerID of ne's replacement machine if it exists,
// "" if it does not.
func (m *replacementMachines) providerID(ctx context.Context, ne *rebalancerv1.NodeExecution) (string, error) {
	if m.provisioning.Mode == v1alpha1.ProvisioningVM {
		if ne.GetNewHostname() == "" {
			return "", nil
		}
		vm, err := m.x.deps.Cloud.FindVM(ctx, ne.GetNewHostname())
		if cloud.IsNotFound(err) {
			return "", nil
		}
		return vm.ProviderID(), err
	}
	if ne.GetNewVmIdentifier() == "" {
		return "", nil
	}
	if m.cluster == nil {
		c, err := m.x.deps.Cloud.GetKubeCluster(ctx, m.provisioning.ClusterID)
		if err != nil {
			return "", err
		}
		m.cluster = &c
	}
	for _, kn := range m.cluster.Nodes {
		if kn.ID == ne.GetNewVmIdentifier() {
			return kn.ProviderID(), nil
		}
	}
	return "", nil
}
