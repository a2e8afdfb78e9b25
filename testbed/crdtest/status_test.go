package crdtest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// Status has its own subresource: an update of the object ignores it, and
// UpdateStatus writes it without touching the spec or its generation.
func TestNodeGroupStatusSubresource(t *testing.T) {
	t.Parallel()
	ns := sandboxtest.Namespace(t)
	groups := sandboxtest.Shared().Autoscaler.NodeGroups(ns)
	ng, err := groups.Create(t.Context(), valid(ns), metav1.CreateOptions{})
	require.NoError(t, err)

	ng.Status.ReadyNodes = 3
	ng, err = groups.Update(t.Context(), ng, metav1.UpdateOptions{})
	require.NoError(t, err)
	require.Zero(t, ng.Status.ReadyNodes, "status written through the main resource")

	now := metav1.NewTime(time.Now().Truncate(time.Second))
	ng.Status = v1alpha1.NodeGroupStatus{
		ObservedGeneration: ng.Generation,
		ReadyNodes:         3,
		Nodes:              []v1alpha1.GroupNode{{Name: "n1", ProviderID: v1alpha1.ProviderID("vm-1"), Offering: "standard-8", Ready: true}},
		LastRebalanceTime:  &now,
		ActiveExecution:    &v1alpha1.ActiveExecution{PlanID: "plan-1", StartTime: now, TargetOffering: "compute-4"},
		Conditions: []metav1.Condition{{
			Type: "Rebalancing", Status: metav1.ConditionTrue, Reason: "PlanRunning", Message: "plan-1", LastTransitionTime: now,
		}},
	}
	generation := ng.Generation
	got, err := groups.UpdateStatus(t.Context(), ng, metav1.UpdateOptions{})
	require.NoError(t, err)
	require.Equal(t, ng.Status, got.Status)
	require.Equal(t, generation, got.Generation)
}
