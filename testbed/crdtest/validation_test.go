package crdtest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// valid is the seed's example NodeGroup, every field set.
func valid(ns string) *v1alpha1.NodeGroup {
	return &v1alpha1.NodeGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, GenerateName: "web-"},
		Spec: v1alpha1.NodeGroupSpec{
			MinNodes: 3, MaxNodes: 10, Datacenter: "dc-1", OfferingIDs: []string{"standard-8", "compute-4"},
			Provisioning: v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningManaged, ClusterID: "3f1c2a9e-5b7d-4e1a-9c0b-2d6f8a4e7b13"},
			Rebalancing: v1alpha1.RebalancingPolicy{
				Enabled: ptr.To(true), Strategy: v1alpha1.StrategyRolling, MaxConcurrent: 2, BatchSize: 1,
				DrainTimeout: duration("300s"), ProvisionTimeout: duration("600s"), CooldownPeriod: duration("1h"),
				MinHealthyPercent: ptr.To[int32](75), SkipNodesWithLocalStorage: ptr.To(true), RespectPDBs: ptr.To(true),
				TimeZone:           "Europe/Bucharest",
				MaintenanceWindows: []v1alpha1.TimeWindow{{Start: "02:00", End: "04:00", Days: []v1alpha1.Weekday{"saturday", "sunday"}}},
				PeakHours:          []v1alpha1.TimeWindow{{Start: "22:00", End: "01:00"}},
			},
		},
	}
}

func TestNodeGroupValidation(t *testing.T) {
	t.Parallel()
	ns := sandboxtest.Namespace(t)
	cases := []struct {
		name   string
		change func(*v1alpha1.NodeGroup)
		fields []string // each must be named in the refusal; none: accepted
	}{
		{"the seed's example is accepted", func(*v1alpha1.NodeGroup) {}, nil},
		{"a window crossing midnight is accepted", func(ng *v1alpha1.NodeGroup) {
			ng.Spec.Rebalancing.MaintenanceWindows[0] = v1alpha1.TimeWindow{Start: "23:00", End: "01:30"}
		}, nil},
		{"the issue's invalid group names all three fields", func(ng *v1alpha1.NodeGroup) {
			ng.Spec.Rebalancing.Strategy = "sideways"
			ng.Spec.Rebalancing.MinHealthyPercent = ptr.To[int32](150)
			ng.Spec.Rebalancing.MaintenanceWindows[0].Days = []v1alpha1.Weekday{"Funday"}
		}, []string{"spec.rebalancing.strategy", "spec.rebalancing.minHealthyPercent", "spec.rebalancing.maintenanceWindows[0].days[0]"}},
		{"an unknown strategy", func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.Strategy = "sideways" },
			[]string{"spec.rebalancing.strategy"}},
		{"a percentage above 100", func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.MinSavingsPercent = ptr.To[int32](101) },
			[]string{"spec.rebalancing.minSavingsPercent"}},
		{"a capitalised day", func(ng *v1alpha1.NodeGroup) {
			ng.Spec.Rebalancing.MaintenanceWindows[0].Days = []v1alpha1.Weekday{"Saturday"}
		}, []string{"spec.rebalancing.maintenanceWindows[0].days[0]"}},
		{"an hour past 23", func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.PeakHours[0].Start = "24:00" },
			[]string{"spec.rebalancing.peakHours[0].start"}},
		{"a window with no length", func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.PeakHours[0].End = "22:00" },
			[]string{"spec.rebalancing.peakHours[0]"}},
		{"a zero drain timeout", func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.DrainTimeout = &metav1.Duration{} },
			[]string{"spec.rebalancing.drainTimeout"}},
		{"an unknown drain-timeout action", func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.DrainTimeoutAction = "ignore" },
			[]string{"spec.rebalancing.drainTimeoutAction"}},
		{"a negative surge", func(ng *v1alpha1.NodeGroup) { ng.Spec.Rebalancing.MaxSurge = -1 },
			[]string{"spec.rebalancing.maxSurge"}},
		{"a floor above the ceiling", func(ng *v1alpha1.NodeGroup) { ng.Spec.MinNodes = 11 },
			[]string{"spec.minNodes"}},
		{"no offering", func(ng *v1alpha1.NodeGroup) { ng.Spec.OfferingIDs = nil },
			[]string{"spec.offeringIDs"}},
		{"the vm mode with its user data is accepted", func(ng *v1alpha1.NodeGroup) {
			ng.Spec.Provisioning = v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningVM,
				UserData: &v1alpha1.UserDataTemplate{SecretName: "node-bootstrap", Key: "cloud-init"}}
		}, nil},
		{"the managed mode without a cluster", func(ng *v1alpha1.NodeGroup) { ng.Spec.Provisioning.ClusterID = "" },
			[]string{"spec.provisioning.clusterID", "clusterID is required in the managed mode"}},
		{"the default mode without a cluster", func(ng *v1alpha1.NodeGroup) { ng.Spec.Provisioning = v1alpha1.Provisioning{} },
			[]string{"spec.provisioning.clusterID", "clusterID is required in the managed mode"}},
		{"the vm mode without user data", func(ng *v1alpha1.NodeGroup) {
			ng.Spec.Provisioning = v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningVM}
		}, []string{"spec.provisioning.userData", "userData is required in the vm mode"}},
		{"user data naming no Secret", func(ng *v1alpha1.NodeGroup) {
			ng.Spec.Provisioning = v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningVM, UserData: &v1alpha1.UserDataTemplate{}}
		}, []string{"spec.provisioning.userData.secretName"}},
		{"an unknown mode", func(ng *v1alpha1.NodeGroup) { ng.Spec.Provisioning.Mode = "bare-metal" },
			[]string{"spec.provisioning.mode", `"managed", "vm"`}},
		{"a cluster identifier that is not one", func(ng *v1alpha1.NodeGroup) { ng.Spec.Provisioning.ClusterID = "prod/cluster" },
			[]string{"spec.provisioning.clusterID"}},
		{"a canary with a health query is accepted", func(ng *v1alpha1.NodeGroup) {
			ng.Spec.Rebalancing.Canary = &v1alpha1.CanaryPolicy{Enabled: true, Soak: duration("10m")}
			ng.Spec.Rebalancing.HealthGate = &v1alpha1.HealthGate{PrometheusQuery: `sum(rate(http_errors_total[5m]))`, MaxValue: "0.05"}
		}, nil},
		{"a health query's maximum that is no number", func(ng *v1alpha1.NodeGroup) {
			ng.Spec.Rebalancing.HealthGate = &v1alpha1.HealthGate{PrometheusQuery: "up", MaxValue: "five percent"}
		}, []string{"spec.rebalancing.healthGate.maxValue"}},
		{"a health gate without its query", func(ng *v1alpha1.NodeGroup) {
			ng.Spec.Rebalancing.HealthGate = &v1alpha1.HealthGate{MaxValue: "1"}
		}, []string{"spec.rebalancing.healthGate.prometheusQuery"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ng := valid(ns)
			tc.change(ng)
			_, err := sandboxtest.Shared().Autoscaler.NodeGroups(ns).Create(t.Context(), ng, metav1.CreateOptions{})
			if len(tc.fields) == 0 {
				require.NoError(t, err)
				return
			}
			require.True(t, apierrors.IsInvalid(err), "want Invalid, got %v", err)
			for _, field := range tc.fields {
				require.Contains(t, err.Error(), field)
			}
		})
	}
}

func duration(s string) *metav1.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return &metav1.Duration{Duration: d}
}
