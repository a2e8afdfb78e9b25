package binpack

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// replica is a pod of app in namespace "web", as a workload's replicas
// are: same labels, same rules.
func replica(app string, i int, rules ...func(*corev1.Pod)) *corev1.Pod {
	p := pod(fmt.Sprintf("%s-%d", app, i))
	p.Labels = map[string]string{"app": app}
	for _, rule := range rules {
		rule(p)
	}
	return p
}

// replicas are n replicas of app, each requesting 100m and 100Mi.
func replicas(app string, n int, rules ...func(*corev1.Pod)) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = item(replica(app, i, rules...), 100, 100)
	}
	return items
}

func selecting(app string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}
}

func antiAffinity(app, key string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{LabelSelector: selecting(app), TopologyKey: key}},
		}}
	}
}

func podAffinity(app string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{LabelSelector: selecting(app), TopologyKey: hostname}},
		}}
	}
}

func spreadOver(app string, maxSkew int32, when corev1.UnsatisfiableConstraintAction,
	edits ...func(*corev1.TopologySpreadConstraint)) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		c := corev1.TopologySpreadConstraint{MaxSkew: maxSkew, TopologyKey: hostname, WhenUnsatisfiable: when,
			LabelSelector: selecting(app)}
		for _, edit := range edits {
			edit(&c)
		}
		p.Spec.TopologySpreadConstraints = append(p.Spec.TopologySpreadConstraints, c)
	}
}

func inNamespace(ns string) func(*corev1.Pod) { return func(p *corev1.Pod) { p.Namespace = ns } }

// nodes are n plain bins of 1000m and 1Gi for 10 pods.
func nodes(n int) []Bin {
	bins := make([]Bin, n)
	for i := range bins {
		bins[i] = bin(node(fmt.Sprintf("n%d", i), map[string]string{"pool": "web"}), 1000, 1024, 10)
	}
	return bins
}

func withPods(b Bin, pods ...*corev1.Pod) Bin {
	b.Pods = pods
	return b
}

func TestPackKeepsRulesBetweenPods(t *testing.T) {
	t.Parallel()
	dedicated := corev1.Taint{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}
	cases := map[string]struct {
		items    []Item
		bins     []Bin
		unplaced []string
		// blocked is what the first unplaced item's Blocked says.
		blocked string
	}{
		"anti-affinity: one replica per node fits with enough nodes": {
			items: replicas("web", 3, antiAffinity("web", hostname)),
			bins:  nodes(3),
		},
		"anti-affinity: one replica too many for the nodes": {
			items:    replicas("web", 4, antiAffinity("web", hostname)),
			bins:     nodes(3),
			unplaced: []string{"web-3"},
			blocked:  "has required anti-affinity on kubernetes.io/hostname (app=web): 4 matching pods, 3 nodes it may run on",
		},
		"anti-affinity: a replica staying on a node keeps the others off it": {
			items:    replicas("web", 2, antiAffinity("web", hostname)),
			bins:     []Bin{withPods(nodes(1)[0], replica("web", 9, antiAffinity("web", hostname))), nodes(2)[1]},
			unplaced: []string{"web-1"},
			blocked:  "3 matching pods, 2 nodes it may run on",
		},
		"anti-affinity: the node without a replica has no room": {
			// Without the rule both replicas would share n0; n1 takes only
			// the big pod.
			items: append(replicas("web", 2, antiAffinity("web", hostname)), item(pod("big"), 950, 100)),
			bins: []Bin{bin(node("n0", nil), 1000, 1024, 10),
				bin(node("n1", nil), 1000, 1024, 10)},
			unplaced: []string{"web-1"},
			blocked:  "every node with room for it already runs a matching pod",
		},
		"anti-affinity of a staying pod keeps the pods it names away": {
			items: []Item{item(replica("web", 0), 100, 100), item(replica("web", 1), 100, 100)},
			bins: []Bin{withPods(nodes(1)[0], replica("guard", 0, antiAffinity("web", hostname))),
				withPods(nodes(2)[1], replica("guard", 1, antiAffinity("web", hostname)))},
			unplaced: []string{"web-0", "web-1"},
			blocked:  "is kept off every node with room for it by the required anti-affinity on kubernetes.io/hostname of pods such as web/guard-0 (app=web)",
		},
		"anti-affinity: selectors that do not match do not constrain each other": {
			items: append(replicas("web", 2, antiAffinity("web", hostname)), replicas("db", 2, antiAffinity("db", hostname))...),
			bins:  nodes(2),
		},
		"anti-affinity: the same labels in another namespace do not count": {
			items: append(replicas("web", 1, antiAffinity("web", hostname)), replicas("web", 1, inNamespace("shop"))[0]),
			bins:  nodes(1),
		},
		"anti-affinity over the namespaces a term lists": {
			items: []Item{item(replica("web", 0, antiAffinity("web", hostname), namespaces("shop")), 100, 100),
				item(replica("web", 1, inNamespace("shop")), 100, 100)},
			bins:     nodes(1),
			unplaced: []string{"web-0"}, // shop/web-1 sorts first
			blocked:  "(app=web in namespaces shop)",
		},
		"anti-affinity with a namespaceSelector reads as every namespace": {
			items: []Item{item(replica("web", 0, antiAffinity("web", hostname), namespaceSelector), 100, 100),
				item(replica("web", 1, inNamespace("shop")), 100, 100)},
			bins:     nodes(1),
			unplaced: []string{"web-0"},
			blocked:  "(app=web in every namespace)",
		},
		"anti-affinity on a zone is left out": {
			items: replicas("web", 3, antiAffinity("web", corev1.LabelTopologyZone)),
			bins:  nodes(1),
		},
		"spread maxSkew 1 fits when the nodes have room to stay even": {
			items: replicas("web", 4, spreadOver("web", 1, corev1.DoNotSchedule)),
			bins:  nodes(2),
		},
		"spread maxSkew 1 fails when only an uneven packing has room": {
			// Room for 3 on n0 and 1 on n1: 3/1 would fit, 2/2 does not.
			items:    replicas("web", 4, spreadOver("web", 1, corev1.DoNotSchedule)),
			bins:     []Bin{bin(node("n0", nil), 300, 1024, 10), bin(node("n1", nil), 100, 1024, 10)},
			unplaced: []string{"web-3"},
			blocked: "has a DoNotSchedule topology spread on kubernetes.io/hostname (app=web, maxSkew 1): " +
				"every node with room for it would exceed the skew (4 matching pods, 2 nodes it may run on)",
		},
		"spread ScheduleAnyway is a preference": {
			items: replicas("web", 4, spreadOver("web", 1, corev1.ScheduleAnyway)),
			bins:  []Bin{bin(node("n0", nil), 300, 1024, 10), bin(node("n1", nil), 100, 1024, 10)},
		},
		"spread counts the pods staying on the nodes": {
			// n0 already runs two: the minimum is n1's 0, so n0 takes none.
			items: replicas("web", 1, spreadOver("web", 1, corev1.DoNotSchedule)),
			bins: []Bin{withPods(bin(node("n0", nil), 1000, 1024, 10), replica("web", 8), replica("web", 9)),
				bin(node("n1", nil), 0, 1024, 10)},
			unplaced: []string{"web-0"},
			blocked:  "3 matching pods, 2 nodes it may run on",
		},
		"spread counts a tainted node as a domain, as nodeTaintsPolicy Ignore does": {
			items: replicas("web", 2, spreadOver("web", 1, corev1.DoNotSchedule)),
			bins: []Bin{bin(node("n0", nil), 1000, 1024, 10),
				bin(node("n1", nil, dedicated), 1000, 1024, 10)},
			unplaced: []string{"web-1"},
			blocked:  "2 matching pods, 1 nodes it may run on",
		},
		"spread with nodeTaintsPolicy Honor leaves the tainted node out": {
			items: replicas("web", 2, spreadOver("web", 1, corev1.DoNotSchedule, func(c *corev1.TopologySpreadConstraint) {
				c.NodeTaintsPolicy = ptr.To(corev1.NodeInclusionPolicyHonor)
			})),
			bins: []Bin{bin(node("n0", nil), 1000, 1024, 10),
				bin(node("n1", nil, dedicated), 1000, 1024, 10)},
		},
		"spread leaves out nodes the pod does not select, as nodeAffinityPolicy Honor does": {
			items: replicas("web", 2, spreadOver("web", 1, corev1.DoNotSchedule),
				func(p *corev1.Pod) { p.Spec.NodeSelector = map[string]string{"pool": "web"} }),
			bins: []Bin{bin(node("n0", map[string]string{"pool": "web"}), 1000, 1024, 10),
				bin(node("n1", map[string]string{"pool": "db"}), 1000, 1024, 10)},
		},
		"spread with fewer nodes than minDomains keeps the minimum at 0": {
			items: replicas("web", 3, spreadOver("web", 1, corev1.DoNotSchedule, func(c *corev1.TopologySpreadConstraint) {
				c.MinDomains = ptr.To[int32](3)
			})),
			bins:     nodes(2),
			unplaced: []string{"web-2"},
		},
		"spread without matchLabelKeys counts every revision": {
			// n1 runs an old replica and has no room: after one new replica
			// on n0 the minimum is 1, so n0 takes the second too.
			items: replicas("web", 2, spreadOver("web", 1, corev1.DoNotSchedule), labelled("hash", "b")),
			bins: []Bin{bin(node("n0", nil), 1000, 1024, 10),
				withPods(bin(node("n1", nil), 0, 1024, 10), replica("web", 9, labelled("hash", "a")))},
		},
		"spread with matchLabelKeys counts only the pod's own revision": {
			// The old replica no longer counts: n1's minimum stays 0.
			items: replicas("web", 2, spreadOver("web", 1, corev1.DoNotSchedule, matchHash), labelled("hash", "b")),
			bins: []Bin{bin(node("n0", nil), 1000, 1024, 10),
				withPods(bin(node("n1", nil), 0, 1024, 10), replica("web", 9, labelled("hash", "a")))},
			unplaced: []string{"web-1"},
			blocked:  "(app=web,hash=b, maxSkew 1)",
		},
		"affinity: a pod joins the node of the pod it names": {
			// The cache fits only n1; the app, placed after it, passes n0
			// although it has room, and joins the cache.
			items: []Item{item(replica("cache", 0), 900, 100), item(replica("app", 0, podAffinity("cache")), 700, 100)},
			bins:  []Bin{bin(node("n0", nil), 800, 1024, 10), bin(node("n1", nil), 1600, 1024, 10)},
		},
		"affinity: no node with the pod it names has room": {
			items:    []Item{item(replica("cache", 0), 900, 100), item(replica("app", 0, podAffinity("cache")), 700, 100)},
			bins:     []Bin{bin(node("n0", nil), 800, 1024, 10), bin(node("n1", nil), 1000, 1024, 10)},
			unplaced: []string{"app-0"},
			blocked:  "has required pod affinity on kubernetes.io/hostname (app=cache): no node running a matching pod has room for it",
		},
		"affinity: no pod it names runs anywhere": {
			items:    []Item{item(replica("app", 0, podAffinity("cache")), 100, 100)},
			bins:     nodes(2),
			unplaced: []string{"app-0"},
			blocked:  "no matching pod runs on the nodes",
		},
		"affinity: the first of a series that names itself goes anywhere, the rest join it": {
			items: replicas("web", 3, podAffinity("web")),
			bins:  nodes(3),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := Pack(tc.items, tc.bins)
			require.Len(t, got, len(tc.items))
			require.Equal(t, tc.unplaced, unplaced(got))
			if tc.blocked != "" {
				first := got[len(got)-len(tc.unplaced)]
				require.Contains(t, first.Blocked, tc.blocked)
			}
		})
	}
}

// namespaces makes the pod's anti-affinity term name these namespaces.
func namespaces(ns ...string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0].Namespaces = ns
	}
}

func namespaceSelector(p *corev1.Pod) {
	p.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0].NamespaceSelector =
		&metav1.LabelSelector{MatchLabels: map[string]string{"team": "shop"}}
}

func matchHash(c *corev1.TopologySpreadConstraint) { c.MatchLabelKeys = []string{"hash"} }

func labelled(key, value string) func(*corev1.Pod) {
	return func(p *corev1.Pod) { p.Labels[key] = value }
}

func TestPackPutsASelfAffineSeriesTogether(t *testing.T) {
	t.Parallel()
	got := Pack(replicas("web", 3, podAffinity("web")), nodes(3))
	for _, p := range got {
		require.Equal(t, got[0].Bin, p.Bin, p.Item.Pod.Name)
	}
}

func TestPackLeavesBlockedEmptyWhenNoNodeHasRoom(t *testing.T) {
	t.Parallel()
	got := Pack(replicas("web", 1, antiAffinity("web", hostname)), []Bin{bin(node("n0", nil), 10, 1024, 10)})
	require.Equal(t, -1, got[0].Bin)
	require.Empty(t, got[0].Blocked, "room, not the rule, kept it out")
}
