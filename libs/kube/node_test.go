package kube

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

func TestNodeReadyNeedsTheConditionAndNoNotReadyTaint(t *testing.T) {
	t.Parallel()
	n := &corev1.Node{}
	require.False(t, NodeReady(n), "no Ready condition yet")
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}}
	require.False(t, NodeReady(n), "still tainted")
	n.Spec.Taints = nil
	require.True(t, NodeReady(n))
	n.Status.Conditions[0].Status = corev1.ConditionFalse
	require.False(t, NodeReady(n))
}
