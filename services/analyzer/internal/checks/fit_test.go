package checks_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

// apiPods applies rule to each replica of the fixture's Deployment "api".
func apiPods(f *fixture, rule func(*corev1.Pod)) {
	for _, n := range []string{"web-0", "web-1", "web-2"} {
		rule(f.pod(n))
	}
}

// oneAPIPerNode is the replicas' required anti-affinity on the hostname.
func oneAPIPerNode(p *corev1.Pod) {
	p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
			TopologyKey:   corev1.LabelHostname,
		}},
	}}
}

func spreadAPI(when corev1.UnsatisfiableConstraintAction) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
			MaxSkew: 1, TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: when,
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
		}}
	}
}

// nearlyFullStandard2 moves the group to standard-2 (2000m allocatable)
// with a batch pod of 1950m on web-0 and web-1: two new nodes are nearly
// full, the api replicas fit by room only if they share the third.
func nearlyFullStandard2(f *fixture) {
	f.opp.TargetOffering = "standard-2"
	for _, n := range []string{"web-0", "web-1"} {
		f.add(testobj.OwnedBy(testobj.Requests(testobj.Pod("shop", "batch-"+n, n), "1950m", "256Mi"), "ReplicaSet", "batch"))
	}
}

func TestFitKeepsPodsApartAsTheSchedulerWould(t *testing.T) {
	t.Parallel()
	runCases(t, map[string]testCase{
		"required anti-affinity on the hostname: one replica per new node fits": {
			edit: func(f *fixture) { apiPods(f, oneAPIPerNode) },
			want: want{check: checks.NameFit, status: passed,
				contains: []string{"the 3 pods to move fit on the 0 staying and 3 new compute-4 nodes"}},
		},
		"the replicas fit by room without their anti-affinity": {
			edit: nearlyFullStandard2,
			want: want{check: checks.NameFit, status: passed},
		},
		"required anti-affinity on the hostname: the replicas cannot share the one new node with room": {
			edit: func(f *fixture) { nearlyFullStandard2(f); apiPods(f, oneAPIPerNode) },
			want: want{check: checks.NameFit, status: failed, contains: []string{
				"pod shop/api-5d8f9c-1 on web-1 (100m CPU, 128Mi memory) has required anti-affinity on kubernetes.io/hostname " +
					"(app=api): every node with room for it already runs a matching pod, among the 0 staying and 3 new standard-2 nodes",
				"pod shop/api-5d8f9c-2 on web-2"}},
		},
		"a DoNotSchedule spread on the hostname that only an uneven packing has room for": {
			edit: func(f *fixture) { nearlyFullStandard2(f); apiPods(f, spreadAPI(corev1.DoNotSchedule)) },
			want: want{check: checks.NameFit, status: failed, contains: []string{
				"pod shop/api-5d8f9c-1 on web-1 (100m CPU, 128Mi memory) has a DoNotSchedule topology spread on " +
					"kubernetes.io/hostname (app=api, maxSkew 1): every node with room for it would exceed the skew " +
					"(3 matching pods, 3 nodes it may run on)"}},
		},
		"a ScheduleAnyway spread is a preference": {
			edit: func(f *fixture) { nearlyFullStandard2(f); apiPods(f, spreadAPI(corev1.ScheduleAnyway)) },
			want: want{check: checks.NameFit, status: passed},
		},
		"a replica on a member that stays keeps the moved ones off it": {
			// web-3 runs another offering, so it stays, with a large
			// replica and room for one small pod: not for a moved replica.
			edit: func(f *fixture) {
				nearlyFullStandard2(f)
				apiPods(f, oneAPIPerNode)
				f.nodes = append(f.nodes, testobj.Node("web-3", "web", "memory-4"))
				stays := testobj.OwnedBy(testobj.Requests(testobj.Pod("shop", "api-5d8f9c-3", "web-3"), "3800m", "1Gi"),
					"ReplicaSet", "api-5d8f9c")
				stays.Labels = map[string]string{"app": "api"}
				oneAPIPerNode(stays)
				f.add(stays)
			},
			want: want{check: checks.NameFit, status: failed, contains: []string{
				"pod shop/api-5d8f9c-1 on web-1 (100m CPU, 128Mi memory) has required anti-affinity on kubernetes.io/hostname " +
					"(app=api): every node with room for it already runs a matching pod, among the 1 staying and 3 new standard-2 nodes"}},
		},
	})
}
