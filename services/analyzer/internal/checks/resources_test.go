package checks_test

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

func TestCatalogueAndOffering(t *testing.T) {
	t.Parallel()
	runCases(t, map[string]testCase{
		"no catalogue loaded yet": {
			edit: func(f *fixture) { f.loaded = false },
			want: want{check: checks.NameCatalogue, status: failed, wait: true, contains: []string{"no VPSie catalogue loaded yet"}},
		},
		"a catalogue older than the limit": {
			edit: func(f *fixture) { f.age = 16 * time.Minute },
			want: want{check: checks.NameCatalogue, status: warning,
				contains: []string{"prices are from a VPSie catalogue 16m0s old, over the 15m0s limit"}},
		},
		// Plans, which MakeUnavailable withdraws: the vm mode's prices.
		"a target the datacenter does not sell now": {
			edit: func(f *fixture) { vmMode(f); f.cloud.MakeUnavailable("dc-nyc1", "compute-4") },
			want: want{check: checks.NameTargetOffering, status: failed,
				contains: []string{"offering compute-4 is not available in datacenter dc-nyc1 now"}},
		},
		"a target the datacenter does not sell, with alternatives": {
			edit: func(f *fixture) {
				vmMode(f)
				f.cloud.MakeUnavailable("dc-nyc1", "compute-4")
				f.opp.AlternativeOfferings = []string{"compute-8", "standard-4"}
			},
			want: want{check: checks.NameTargetOffering, status: failed,
				contains: []string{"available alternatives: compute-8, standard-4"}},
		},
		"a target no datacenter sells": {
			edit: func(f *fixture) { f.opp.TargetOffering = "gpu-8" },
			want: want{check: checks.NameTargetOffering, status: failed, contains: []string{"no offering gpu-8 in the VPSie catalogue"}},
		},
		"a group in a datacenter the catalogue lacks": {
			edit: func(f *fixture) { f.group.Spec.Datacenter = "dc-mars1" },
			want: want{check: checks.NameTargetOffering, status: failed,
				contains: []string{`the group's datacenter "dc-mars1" is not in the VPSie catalogue`}},
		},
	})
}

func TestQuotaAndSurge(t *testing.T) {
	t.Parallel()
	runCases(t, map[string]testCase{
		"a full quota": {
			edit: func(f *fixture) { f.cloud.LimitVMs(0) },
			want: want{check: checks.NameQuota, status: failed,
				contains: []string{"the account's quota has room for 0 more compute-4 VMs, the rebalance needs 2 at once"}},
		},
		"blue-green needs room for the whole green set": {
			edit: func(f *fixture) {
				f.cloud.LimitVMs(2)
				f.group.Spec.Rebalancing.Strategy = v1alpha1.StrategyBlueGreen
			},
			want: want{check: checks.NameQuota, status: failed, contains: []string{"room for 2 more compute-4 VMs, the rebalance needs 3 at once"}},
		},
		"surge needs room for its lanes": {
			edit: func(f *fixture) {
				f.cloud.LimitVMs(2)
				f.group.Spec.Rebalancing.Strategy = v1alpha1.StrategySurge
				f.group.Spec.Rebalancing.MaxSurge = 2
			},
			want: want{check: checks.NameQuota, status: passed, contains: []string{"room for the 2 compute-4 VMs needed at once"}},
		},
		"a quota that could not be read": {
			edit: func(f *fixture) {
				f.cloud.NextError(cloudfake.OpQuota, cloud.NewError(cloud.ErrTransient, "Quota", "502"))
			},
			want: want{check: checks.NameQuota, status: warning, contains: []string{"the account's quota is unknown"}},
		},
		"a surge above maxNodes": {
			edit: func(f *fixture) { f.group.Spec.MaxNodes = 3 },
			want: want{check: checks.NameMaxNodes, status: failed,
				contains: []string{"the group's 3 nodes plus 2 replacements at once exceed its maxNodes of 3"}},
		},
	})
}

func TestFit(t *testing.T) {
	t.Parallel()
	big := func(f *fixture) { testobj.Requests(f.pod("web-0"), "3", "1Gi") }
	runCases(t, map[string]testCase{
		"the largest pod must fit the target offering's CPU": {
			edit: func(f *fixture) { big(f); f.opp.TargetOffering = "standard-2" },
			want: want{check: checks.NameFit, status: failed, contains: []string{
				"the largest pod must fit the target offering: pod shop/api-5d8f9c-0 on web-0 (3000m CPU, 1024Mi memory) " +
					"is larger than a standard-2 node's allocatable (2000m CPU, 3996Mi memory)"}},
		},
		"the largest pod must fit the target offering's memory": {
			edit: func(f *fixture) { testobj.Requests(f.pod("web-1"), "100m", "6Gi"); f.opp.TargetOffering = "standard-2" },
			want: want{check: checks.NameFit, status: failed, contains: []string{
				"the largest pod must fit the target offering: pod shop/api-5d8f9c-1 on web-1 (100m CPU, 6144Mi memory)"}},
		},
		"the largest pod must fit the target offering even when a member that stays has room": {
			edit: func(f *fixture) {
				big(f)
				f.opp.TargetOffering = "standard-2"
				f.nodes = append(f.nodes, testobj.Node("web-3", "web", "memory-4"))
			},
			want: want{check: checks.NameFit, status: failed, contains: []string{"the largest pod must fit the target offering: pod shop/api-5d8f9c-0"}},
		},
		"pods that together overflow the new nodes": {
			edit: func(f *fixture) {
				for _, n := range []string{"web-0", "web-1", "web-2"} {
					testobj.Requests(f.pod(n), "1200m", "1Gi")
					f.add(testobj.OwnedBy(testobj.Requests(testobj.Pod("shop", "extra-"+n, n), "1200m", "1Gi"), "ReplicaSet", "extra"))
				}
				f.opp.TargetOffering = "standard-2"
			},
			want: want{check: checks.NameFit, status: failed, contains: []string{"fits on none of the 0 staying and 3 new standard-2 nodes"}},
		},
		"a pod pinned to its old node's hostname": {
			edit: func(f *fixture) { f.pod("web-1").Spec.NodeSelector = map[string]string{corev1.LabelHostname: "web-1"} },
			want: want{check: checks.NameFit, status: failed, contains: []string{"pod shop/api-5d8f9c-1 on web-1"}},
		},
		"a pod selecting the old offering": {
			edit: func(f *fixture) {
				f.pod("web-1").Spec.NodeSelector = map[string]string{v1alpha1.LabelInstanceType: "standard-8"}
			},
			want: want{check: checks.NameFit, status: failed, contains: []string{"pod shop/api-5d8f9c-1 on web-1"}},
		},
		"a pod selecting the group fits on its new nodes": {
			edit: func(f *fixture) { f.pod("web-1").Spec.NodeSelector = map[string]string{v1alpha1.LabelNodeGroup: "web"} },
			want: want{check: checks.NameFit, status: passed},
		},
		"a group taint its pods do not tolerate": {
			edit: func(f *fixture) {
				f.group.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule}}
			},
			want: want{check: checks.NameFit, status: failed, contains: []string{"fits on none of"}},
		},
		"DaemonSet pods take their room back on the replacement": {
			edit: func(f *fixture) {
				testobj.Requests(f.pod("web-0"), "3900m", "1Gi")
				for _, n := range []string{"web-0", "web-1", "web-2"} {
					f.add(testobj.OwnedBy(testobj.Requests(testobj.Pod("kube-system", "agent-"+n, n), "200m", "64Mi"), "DaemonSet", "agent"))
				}
			},
			want: want{check: checks.NameFit, status: failed, contains: []string{"pod shop/api-5d8f9c-0 on web-0 (3900m CPU"}},
		},
	})
}

func TestSavings(t *testing.T) {
	t.Parallel()
	runCases(t, map[string]testCase{
		"savings recomputed from prices, not the claim": {
			edit: func(f *fixture) { f.opp.ClaimedMonthlySavingsCents = 7500 },
			want: want{check: checks.NameSavings, status: passed,
				contains: []string{"saves $72.00/month (50.0%) over 3 nodes, moving standard-8 at $48.00/month to compute-4 at $24.00/month"}},
		},
		"a claim far above the recomputed savings": {
			edit: func(f *fixture) { f.opp.ClaimedMonthlySavingsCents = 20000 },
			want: want{check: checks.NameSavings, status: warning,
				contains: []string{"the optimizer claimed $200.00/month, catalogue prices give $72.00/month over 3 nodes"}},
		},
		"a target that costs more": {
			edit: func(f *fixture) { f.opp.TargetOffering = "memory-8" },
			want: want{check: checks.NameSavings, status: failed,
				contains: []string{"no savings: standard-8 at $48.00/month to memory-8 at $79.99/month"}},
		},
		"savings below the policy's threshold": {
			edit: func(f *fixture) { f.opp.TargetOffering = "compute-8" },
			want: want{check: checks.NameSavings, status: failed,
				contains: []string{"saves $1.50/month (1.0%) over 3 nodes, below the policy's minSavingsPercent of 10%"}},
		},
		"a threshold of zero accepts any saving": {
			edit: func(f *fixture) {
				f.opp.TargetOffering, f.opp.ClaimedMonthlySavingsCents = "compute-8", 150
				f.group.Spec.Rebalancing.MinSavingsPercent = ptr.To[int32](0)
			},
			want: want{check: checks.NameSavings, status: passed},
		},
		"a current offering no catalogue prices": {
			edit: func(f *fixture) {
				f.opp.CurrentOffering = "legacy-8"
				for _, n := range f.nodes {
					n.Labels[v1alpha1.LabelInstanceType] = "legacy-8"
				}
			},
			want: want{check: checks.NameSavings, status: failed, contains: []string{"no price for the current offering legacy-8"}},
		},
		"a current offering priced from another datacenter": {
			edit: func(f *fixture) { f.cloud.MakeUnavailable("dc-nyc1", "standard-8") },
			want: want{check: checks.NameSavings, status: passed, contains: []string{"saves $72.00/month"}},
		},
	})
}
