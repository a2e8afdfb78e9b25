package facts_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

func claimed(claim string) corev1.Volume {
	return corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{
		PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}}
}

func boundClaim(name, volume string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name},
		Spec:       corev1.PersistentVolumeClaimSpec{VolumeName: volume},
	}
}

func volume(name string, source corev1.PersistentVolumeSource) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{PersistentVolumeSource: source}}
}

func TestLocalStorage(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		volume  corev1.Volume
		objects []runtime.Object
		want    []string
	}{
		"a ConfigMap volume is not local storage": {
			volume: corev1.Volume{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}}},
		},
		"an emptyDir": {
			volume: corev1.Volume{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			want:   []string{`emptyDir "scratch"`},
		},
		"a hostPath": {
			volume: corev1.Volume{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/srv"}}},
			want:   []string{`hostPath "/srv"`},
		},
		"a claim bound to a local PersistentVolume": {
			volume: claimed("data-0"),
			objects: []runtime.Object{boundClaim("data-0", "pv-local"),
				volume("pv-local", corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: "/mnt/disk"}})},
			want: []string{`local PersistentVolume "pv-local" (claim "data-0")`},
		},
		"a claim bound to a network volume": {
			volume: claimed("data-0"),
			objects: []runtime.Object{boundClaim("data-0", "pv-csi"),
				volume("pv-csi", corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{Driver: "csi.vpsie.com"}})},
		},
		"a claim not bound yet": {
			volume:  claimed("data-0"),
			objects: []runtime.Object{boundClaim("data-0", "")},
		},
		"a claim not in the cache": {volume: claimed("data-0")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := testobj.Pod("shop", "db", "web-0")
			p.Spec.Volumes = []corev1.Volume{tc.volume}
			m := gatherOne(t, testobj.Node("web-0", "web", "standard-8"), "standard-8", append(tc.objects, p)...)
			require.Equal(t, tc.want, m.Pods[0].LocalStorage)
			require.Equal(t, len(tc.want) > 0, m.Pods[0].Workload.GetHasLocalStorage())
		})
	}
}
