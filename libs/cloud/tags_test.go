package cloud_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

func TestTagsRoundTripLabelsAndTaints(t *testing.T) {
	t.Parallel()
	labels := map[string]string{"autoscaler.vpsie.io/nodegroup": "web", "tier": ""}
	taints := []corev1.Taint{
		{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule},
		{Key: "example.com/spot", Effect: corev1.TaintEffectPreferNoSchedule},
	}
	tags := cloud.EncodeTags(labels, taints)
	require.Equal(t, []string{
		"k8s-label:autoscaler.vpsie.io/nodegroup=web",
		"k8s-label:tier=",
		"k8s-taint:dedicated=web:NoSchedule",
		"k8s-taint:example.com/spot:PreferNoSchedule",
	}, tags)

	gotLabels, gotTaints, other := cloud.DecodeTags(append(tags, "team-a"))
	require.Equal(t, labels, gotLabels)
	require.Equal(t, taints, gotTaints)
	require.Equal(t, []string{"team-a"}, other)
}

func TestMalformedTagsAreKeptAsOtherTags(t *testing.T) {
	t.Parallel()
	bad := []string{"k8s-label:novalue", "k8s-label:=x", "k8s-taint:noeffect", "k8s-taint::NoSchedule", "k8s-taint:key:"}
	labels, taints, other := cloud.DecodeTags(bad)
	require.Empty(t, labels)
	require.Empty(t, taints)
	require.Equal(t, bad, other)
}

// FuzzDecodeTags: tags come from the cloud, so any string must decode
// without panicking, and what decodes as labels and taints must survive a
// round trip through EncodeTags.
func FuzzDecodeTags(f *testing.F) {
	f.Add("k8s-label:autoscaler.vpsie.io/nodegroup=web", "k8s-taint:dedicated=web:NoSchedule")
	f.Add("k8s-taint:a:b:c=d:NoExecute", "k8s-label:a=b=c")
	f.Add("k8s-label:", "plain")
	f.Fuzz(func(t *testing.T, a, b string) {
		labels, taints, _ := cloud.DecodeTags([]string{a, b})
		again, againTaints, other := cloud.DecodeTags(cloud.EncodeTags(labels, taints))
		require.Equal(t, labels, again)
		require.Equal(t, taints, againTaints)
		require.Empty(t, other)
	})
}
