package kube

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

func TestPodReadyReadsTheReadyCondition(t *testing.T) {
	t.Parallel()
	p := &corev1.Pod{}
	require.False(t, PodReady(p), "no condition yet")
	p.Status.Conditions = []corev1.PodCondition{
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
		{Type: corev1.ContainersReady, Status: corev1.ConditionTrue},
		{Type: corev1.PodReady, Status: corev1.ConditionFalse},
	}
	require.False(t, PodReady(p), "other conditions do not count")
	p.Status.Conditions[2].Status = corev1.ConditionTrue
	require.True(t, PodReady(p))
	p.Status.Conditions[2].Status = corev1.ConditionUnknown
	require.False(t, PodReady(p))
}
