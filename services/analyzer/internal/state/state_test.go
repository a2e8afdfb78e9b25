package state_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	autoscalerfake "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client/fake"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

// withBulk adds what the transform must drop: managed fields and kubectl's
// copy of the object.
func withBulk(m *metav1.ObjectMeta) {
	m.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}}
	m.Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{...}", "keep": "me"}
}

func started(t *testing.T, kube *fake.Clientset, groups *autoscalerfake.Clientset) *state.Informers {
	t.Helper()
	inf, err := state.NewInformers(kube, groups)
	require.NoError(t, err)
	require.Error(t, inf.Ready(t.Context()), "not synced before start")
	require.False(t, inf.Synced())
	inf.Start(t.Context())
	t.Cleanup(inf.Stop)
	require.Eventually(t, func() bool { return inf.Ready(t.Context()) == nil }, 10*time.Second, 10*time.Millisecond)
	return inf
}

func TestInformersCacheIndexAndSlimTheCluster(t *testing.T) {
	t.Parallel()
	node := testobj.Node("web-0", "web", "standard-8")
	withBulk(&node.ObjectMeta)
	pod := testobj.Pod("shop", "api", "web-0")
	withBulk(&pod.ObjectMeta)
	d, rs, pods := testobj.Deployment("shop", "api", 2, "web-1")
	d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "big", Image: "registry/app:1"}}
	kube := fake.NewClientset(node, testobj.Node("web-1", "web", "standard-8"), testobj.Node("db-0", "db", "standard-8"),
		pod, pods[0], d, rs, testobj.PDB("shop", "api", "api", 2, 1))
	groups := autoscalerfake.NewClientset(testobj.NodeGroup("shop", "web"))
	inf := started(t, kube, groups)

	var names []string
	for _, n := range inf.GroupNodes("web") {
		names = append(names, n.Name)
	}
	require.Equal(t, []string{"web-0", "web-1"}, names, "by the group label, by name")
	require.Len(t, inf.Nodes(), 3)
	cached := inf.PodsOnNode("web-0")
	require.Len(t, cached, 1)
	require.Nil(t, cached[0].ManagedFields, "managed fields dropped")
	require.Equal(t, map[string]string{"keep": "me"}, cached[0].Annotations, "kubectl's copy dropped, the rest kept")
	require.Nil(t, inf.GroupNodes("web")[0].ManagedFields)
	require.Len(t, inf.PDBs("shop"), 1)
	cachedDeploy, ok := inf.Deployment("shop", "api")
	require.True(t, ok)
	require.Empty(t, cachedDeploy.Spec.Template.Spec.Containers, "the pod template is read through pods")
	require.EqualValues(t, 2, *cachedDeploy.Spec.Replicas)
	_, ok = inf.ReplicaSet("shop", rs.Name)
	require.True(t, ok)
	ng, ok := inf.NodeGroup("shop", "web")
	require.True(t, ok)
	require.Equal(t, "dc-nyc1", ng.Spec.Datacenter)
	_, ok = inf.NodeGroup("shop", "nope")
	require.False(t, ok)
}

func TestInformersFollowChanges(t *testing.T) {
	t.Parallel()
	kube := fake.NewClientset(testobj.Node("web-0", "web", "standard-8"))
	inf := started(t, kube, autoscalerfake.NewClientset())
	_, err := kube.CoreV1().Pods("shop").Create(t.Context(), testobj.Pod("shop", "late", "web-0"), metav1.CreateOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(inf.PodsOnNode("web-0")) == 1 }, 10*time.Second, 10*time.Millisecond)
	_, err = kube.AppsV1().StatefulSets("shop").Create(t.Context(), testobj.StatefulSet("shop", "db", 3), metav1.CreateOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool { _, ok := inf.StatefulSet("shop", "db"); return ok }, 10*time.Second, 10*time.Millisecond)
}

func TestStaticIndexesLikeTheInformers(t *testing.T) {
	t.Parallel()
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api"}}
	d.Spec.Template.Labels = map[string]string{"app": "api"}
	pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-1"}}
	claim := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "data"}}
	c := state.Static(testobj.Pod("shop", "b", "n1"), testobj.Pod("other", "a", "n1"), testobj.Pod("shop", "c", "n2"), d, pv, claim)
	require.True(t, c.Synced())
	var keys []string
	for _, p := range c.PodsOnNode("n1") {
		keys = append(keys, p.Namespace+"/"+p.Name)
	}
	require.Equal(t, []string{"other/a", "shop/b"}, keys)
	got, ok := c.Deployment("shop", "api")
	require.True(t, ok)
	require.Nil(t, got.Spec.Template.Labels, "slimmed like the informers' copy")
	require.NotNil(t, d.Spec.Template.Labels, "the caller's object is left alone")
	_, ok = c.PersistentVolume("pv-1")
	require.True(t, ok)
	_, ok = c.PersistentVolumeClaim("shop", "data")
	require.True(t, ok)
	require.Panics(t, func() { state.Static(&corev1.ConfigMap{}) })
}
