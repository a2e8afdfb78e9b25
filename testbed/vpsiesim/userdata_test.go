package vpsiesim

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

func TestKubeletFlagsReadWhatBootstrapUserDataWrites(t *testing.T) {
	t.Parallel()
	labels := map[string]string{"a.example/x": "1", "b": "two"}
	taints := []corev1.Taint{
		{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule},
		{Key: "spot", Effect: corev1.TaintEffectNoExecute},
	}
	doc := BootstrapUserData("tok.en", labels, taints)
	require.Contains(t, doc, "--token tok.en")

	gotLabels, gotTaints := kubeletFlags(doc)
	require.Equal(t, labels, gotLabels)
	require.Equal(t, taints, gotTaints)
}

func TestKubeletFlagsSkipWhatAKubeletWouldRefuse(t *testing.T) {
	t.Parallel()
	labels, taints := kubeletFlags("kubelet --node-labels=ok=1,broken --register-with-taints=k=v:Sometimes,k2:NoSchedule")
	require.Equal(t, map[string]string{"ok": "1"}, labels)
	require.Equal(t, []corev1.Taint{{Key: "k2", Effect: corev1.TaintEffectNoSchedule}}, taints)
}

func TestKubeletFlagsWithEmptyValuesTakeNothing(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"KUBELET_EXTRA_ARGS=--node-labels= --register-with-taints=",
		"kubelet --node-labels --register-with-taints=k:NoSchedule",
	} {
		labels, _ := kubeletFlags(doc)
		require.Empty(t, labels, doc)
	}
}

func FuzzKubeletFlags(f *testing.F) {
	f.Add(BootstrapUserData("t", map[string]string{"a": "b"}, nil))
	f.Add("--node-labels= --register-with-taints=:")
	f.Fuzz(func(_ *testing.T, s string) { kubeletFlags(s) })
}
