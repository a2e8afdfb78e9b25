package checks_test

import (
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

func notReady(n *corev1.Node) *corev1.Node {
	n.Status.Conditions[0].Status = corev1.ConditionFalse
	return n
}

// stillTainted is a node that reports Ready while it still carries the
// not-ready taint the node controller lifts once it has seen the node
// Ready: the scheduler avoids it, and the Executor does not count it
// (kube.NodeReady), so neither does the Analyzer.
func stillTainted(n *corev1.Node) *corev1.Node {
	n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule})
	return n
}

func TestClusterHealth(t *testing.T) {
	t.Parallel()
	runCases(t, map[string]testCase{
		"a quarter of the cluster's nodes not Ready": {
			edit: func(f *fixture) { f.objects = append(f.objects, notReady(testobj.Node("db-0", "db", "standard-8"))) },
			want: want{check: checks.NameUnreadyNodes, status: failed, wait: true,
				contains: []string{"1 of 4 nodes (25%) are not Ready, over the 20% limit: db-0"}},
		},
		"a node Ready but still tainted not-ready counts as not Ready": {
			edit: func(f *fixture) {
				f.objects = append(f.objects, stillTainted(testobj.Node("db-0", "db", "standard-8")))
			},
			want: want{check: checks.NameUnreadyNodes, status: failed, wait: true,
				contains: []string{"1 of 4 nodes (25%) are not Ready, over the 20% limit: db-0"}},
		},
		"a new node not Ready yet is joining, not unready": {
			edit: func(f *fixture) {
				joining := notReady(testobj.Node("db-0", "db", "standard-8"))
				joining.CreationTimestamp = metav1.NewTime(f.now.Add(-checks.DefaultJoinGrace + time.Second))
				f.objects = append(f.objects, joining)
			},
			want: want{check: checks.NameUnreadyNodes, status: passed, contains: []string{"0 of 4 nodes not Ready (1 more joining)"}},
		},
		"a node not Ready past the join grace is unready": {
			edit: func(f *fixture) {
				late := notReady(testobj.Node("db-0", "db", "standard-8"))
				late.CreationTimestamp = metav1.NewTime(f.now.Add(-checks.DefaultJoinGrace))
				f.objects = append(f.objects, late)
			},
			want: want{check: checks.NameUnreadyNodes, status: failed, wait: true,
				contains: []string{"1 of 4 nodes (25%) are not Ready, over the 20% limit: db-0"}},
		},
		"exactly the limit of unready nodes is still healthy": {
			edit: func(f *fixture) {
				f.objects = append(f.objects, notReady(testobj.Node("db-0", "db", "s")), testobj.Node("db-1", "db", "s"))
			},
			want: want{check: checks.NameUnreadyNodes, status: passed, contains: []string{"1 of 5 nodes not Ready"}},
		},
		"the API server not ready": {
			edit: func(f *fixture) { f.apiErr = errors.New("kube-apiserver /readyz: etcd failed") },
			want: want{check: checks.NameAPIServer, status: failed, wait: true, contains: []string{"etcd failed"}},
		},
	})
}

func TestNodeGroupHealth(t *testing.T) {
	t.Parallel()
	runCases(t, map[string]testCase{
		"no node runs the offering to replace": {
			edit: func(f *fixture) { f.opp.CurrentOffering = "memory-4" },
			want: want{check: checks.NameCandidates, status: failed, contains: []string{
				"no node of group shop/web is a candidate (of 3)", `web-0 (runs offering "standard-8", not "memory-4")`}},
		},
		"a cordoned node is left out of the candidates": {
			edit: func(f *fixture) { f.node("web-1").Spec.Unschedulable = true },
			want: want{check: checks.NameCandidates, status: passed, contains: []string{"2 of 3 nodes are candidates; left out: web-1 (cordoned)"}},
		},
		"a named node that is cordoned": {
			edit: func(f *fixture) { f.noOffer, f.named = true, true; f.node("web-1").Spec.Unschedulable = true },
			want: want{check: checks.NameCandidates, status: failed, contains: []string{"web-1 (cordoned)"}},
		},
		"fewer Ready nodes than minNodes": {
			edit: func(f *fixture) { f.group.Spec.MinNodes = 3; notReady(f.node("web-2")) },
			want: want{check: checks.NameMinNodes, status: failed, wait: true,
				contains: []string{"group shop/web has 2 Ready, schedulable nodes, below its minNodes of 3"}},
		},
		"a node Ready but still tainted not-ready is not counted toward minNodes": {
			edit: func(f *fixture) { f.group.Spec.MinNodes = 3; stillTainted(f.node("web-2")) },
			want: want{check: checks.NameMinNodes, status: failed, wait: true,
				contains: []string{"group shop/web has 2 Ready, schedulable nodes, below its minNodes of 3"}},
		},
		"a node Ready but still tainted not-ready is no candidate": {
			edit: func(f *fixture) { stillTainted(f.node("web-2")) },
			want: want{check: checks.NameCandidates, status: passed,
				contains: []string{"2 of 3 nodes are candidates; left out: web-2 (not Ready)"}},
		},
		"a floor above the candidates": {
			edit: func(f *fixture) { f.node("web-1").Spec.Unschedulable = true },
			want: want{check: checks.NameMinHealthy, status: failed, wait: true,
				contains: []string{"minHealthyPercent 75 keeps 3 of the group's 3 nodes", "only 2 are known to be"}},
		},
		"a floor the candidates meet": {
			edit: func(f *fixture) {
				f.group.Spec.Rebalancing.MinHealthyPercent = ptr.To[int32](50)
				f.node("web-1").Spec.Unschedulable = true
			},
			want: want{check: checks.NameMinHealthy, status: passed, contains: []string{"floor of 2 nodes, 2 Ready"}},
		},
		"a plan running on the group": {
			edit: func(f *fixture) {
				f.group.Status.ActiveExecution = &v1alpha1.ActiveExecution{PlanID: "plan-0123", StartTime: metav1.NewTime(now.Add(-time.Hour))}
			},
			want: want{check: checks.NameActiveExecution, status: failed, wait: true,
				contains: []string{"plan plan-0123 has been rebalancing group shop/web since"}},
		},
		"a node joined five minutes ago": {
			edit: func(f *fixture) { f.node("web-2").CreationTimestamp = metav1.NewTime(now.Add(-5 * time.Minute)) },
			want: want{check: checks.NameRecentScaling, status: failed, wait: true,
				contains: []string{"the group scaled within the last 10m0s: web-2 joined 5m0s ago"}},
		},
		"a node joined eleven minutes ago": {
			edit: func(f *fixture) { f.node("web-2").CreationTimestamp = metav1.NewTime(now.Add(-11 * time.Minute)) },
			want: want{check: checks.NameRecentScaling, status: passed},
		},
		"a spec its controller has not observed": {
			edit: func(f *fixture) { f.group.Generation = 4 },
			want: want{check: checks.NameRecentScaling, status: warning, contains: []string{"observed generation 3 of its spec, not the current 4"}},
		},
		"a node already draining": {
			edit: func(f *fixture) {
				n := f.node("web-1")
				n.Spec.Unschedulable = true
				n.Spec.Taints = []corev1.Taint{{Key: "karpenter.sh/disrupted", Effect: corev1.TaintEffectNoSchedule}}
			},
			want: want{check: checks.NameDraining, status: failed, wait: true, contains: []string{"nodes already draining: web-1"}},
		},
		"a node merely cordoned": {
			edit: func(f *fixture) { f.node("web-1").Spec.Unschedulable = true },
			want: want{check: checks.NameDraining, status: warning, contains: []string{"cordoned nodes, left as they are: web-1"}},
		},
	})
}
