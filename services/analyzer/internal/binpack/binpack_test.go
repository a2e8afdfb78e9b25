package binpack

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name string, labels map[string]string, taints ...corev1.Taint) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       corev1.NodeSpec{Taints: taints},
	}
}

func pod(name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: name}}
}

func item(p *corev1.Pod, milliCPU, memMiB int64) Item {
	return Item{Pod: p, Need: Resources{MilliCPU: milliCPU, MemoryBytes: memMiB << 20, Pods: 1}}
}

func bin(n *corev1.Node, milliCPU, memMiB, pods int64) Bin {
	return Bin{Node: n, Free: Resources{MilliCPU: milliCPU, MemoryBytes: memMiB << 20, Pods: pods}}
}

func unplaced(ps []Placement) []string {
	var names []string
	for _, p := range ps {
		if p.Bin < 0 {
			names = append(names, p.Item.Pod.Name)
		}
	}
	return names
}

var noSchedule = corev1.Taint{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}

func TestPack(t *testing.T) {
	t.Parallel()
	plain := node("a", map[string]string{"pool": "web"})
	cases := map[string]struct {
		items    []Item
		bins     []Bin
		unplaced []string
	}{
		"small pods fill one node": {
			items: []Item{item(pod("x"), 500, 512), item(pod("y"), 500, 512)},
			bins:  []Bin{bin(plain, 1000, 1024, 10)},
		},
		"one pod too many by CPU": {
			items:    []Item{item(pod("x"), 600, 100), item(pod("y"), 600, 100)},
			bins:     []Bin{bin(plain, 1000, 1024, 10)},
			unplaced: []string{"y"},
		},
		"one pod too many by memory": {
			items:    []Item{item(pod("x"), 10, 800), item(pod("y"), 10, 800)},
			bins:     []Bin{bin(plain, 1000, 1024, 10)},
			unplaced: []string{"y"},
		},
		"one pod too many by pod count": {
			items:    []Item{item(pod("x"), 1, 1), item(pod("y"), 1, 1)},
			bins:     []Bin{bin(plain, 1000, 1024, 1)},
			unplaced: []string{"y"},
		},
		"largest first: the big pod gets the big node": {
			// First-fit in the given order would put "small" on the big
			// node and leave "big" nowhere.
			items: []Item{item(pod("small"), 1000, 100), item(pod("big"), 1500, 100)},
			bins:  []Bin{bin(node("b", nil), 1500, 1024, 10), bin(plain, 1000, 1024, 10)},
		},
		"a pod larger than every node": {
			items:    []Item{item(pod("huge"), 4000, 100)},
			bins:     []Bin{bin(plain, 2000, 1024, 10), bin(node("b", nil), 2000, 1024, 10)},
			unplaced: []string{"huge"},
		},
		"a node selector no node matches": {
			items:    []Item{item(withSelector(pod("x"), map[string]string{"pool": "db"}), 1, 1)},
			bins:     []Bin{bin(plain, 1000, 1024, 10)},
			unplaced: []string{"x"},
		},
		"a node selector one node matches": {
			items: []Item{item(withSelector(pod("x"), map[string]string{"pool": "db"}), 1, 1)},
			bins:  []Bin{bin(plain, 1000, 1024, 10), bin(node("b", map[string]string{"pool": "db"}), 1000, 1024, 10)},
		},
		"required node affinity no node matches": {
			items:    []Item{item(withAffinity(pod("x"), "zone", "b"), 1, 1)},
			bins:     []Bin{bin(node("a", map[string]string{"zone": "a"}), 1000, 1024, 10)},
			unplaced: []string{"x"},
		},
		"a NoSchedule taint without a toleration": {
			items:    []Item{item(pod("x"), 1, 1)},
			bins:     []Bin{bin(node("a", nil, noSchedule), 1000, 1024, 10)},
			unplaced: []string{"x"},
		},
		"a NoSchedule taint tolerated": {
			items: []Item{item(withToleration(pod("x"), "dedicated", "db"), 1, 1)},
			bins:  []Bin{bin(node("a", nil, noSchedule), 1000, 1024, 10)},
		},
		"a PreferNoSchedule taint does not keep a pod out": {
			items: []Item{item(pod("x"), 1, 1)},
			bins: []Bin{bin(node("a", nil, corev1.Taint{Key: "soon-gone", Effect: corev1.TaintEffectPreferNoSchedule}),
				1000, 1024, 10)},
		},
		"no bins at all": {
			items:    []Item{item(pod("x"), 1, 1)},
			unplaced: []string{"x"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := Pack(tc.items, tc.bins)
			require.Len(t, got, len(tc.items))
			require.Equal(t, tc.unplaced, unplaced(got))
		})
	}
}

func TestPackIsDeterministicAndLeavesBinsAlone(t *testing.T) {
	t.Parallel()
	items := []Item{item(pod("b"), 100, 100), item(pod("a"), 100, 100), item(pod("c"), 300, 100)}
	bins := []Bin{bin(node("n1", nil), 200, 1024, 10), bin(node("n2", nil), 400, 1024, 10)}
	first := Pack(items, bins)
	require.Equal(t, first, Pack(items, bins))
	require.Equal(t, []string{"c", "a", "b"}, []string{first[0].Item.Pod.Name, first[1].Item.Pod.Name, first[2].Item.Pod.Name},
		"largest first, then by name")
	require.Equal(t, []int{1, 0, 0}, []int{first[0].Bin, first[1].Bin, first[2].Bin})
	require.EqualValues(t, 200, bins[0].Free.MilliCPU, "the caller's bins keep their room")
}

func TestRequestsCountInitContainersAndOverhead(t *testing.T) {
	t.Parallel()
	p := pod("x")
	p.Spec.Containers = []corev1.Container{container("100m", "64Mi"), container("200m", "64Mi")}
	p.Spec.InitContainers = []corev1.Container{container("500m", "32Mi")}
	p.Spec.Overhead = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m")}
	require.Equal(t, Resources{MilliCPU: 510, MemoryBytes: 128 << 20, Pods: 1}, Requests(p))
}

func TestAllocatable(t *testing.T) {
	t.Parallel()
	n := node("a", nil)
	n.Status.Allocatable = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("4Gi"),
		corev1.ResourcePods: resource.MustParse("110"),
	}
	require.Equal(t, Resources{MilliCPU: 2000, MemoryBytes: 4 << 30, Pods: 110}, Allocatable(n))
	require.Equal(t, Resources{MilliCPU: 1500, MemoryBytes: 3 << 30, Pods: 109},
		Allocatable(n).Minus(Resources{MilliCPU: 500, MemoryBytes: 1 << 30, Pods: 1}))
}

func container(cpu, mem string) corev1.Container {
	return corev1.Container{Name: "c", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem),
	}}}
}

func withSelector(p *corev1.Pod, sel map[string]string) *corev1.Pod {
	p.Spec.NodeSelector = sel
	return p
}

func withAffinity(p *corev1.Pod, key, value string) *corev1.Pod {
	p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
			MatchExpressions: []corev1.NodeSelectorRequirement{{Key: key, Operator: corev1.NodeSelectorOpIn, Values: []string{value}}},
		}}},
	}}
	return p
}

func withToleration(p *corev1.Pod, key, value string) *corev1.Pod {
	p.Spec.Tolerations = []corev1.Toleration{{Key: key, Operator: corev1.TolerationOpEqual, Value: value, Effect: corev1.TaintEffectNoSchedule}}
	return p
}
