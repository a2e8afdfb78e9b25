package cloud_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

func validSpec() cloud.CreateSpec {
	return cloud.CreateSpec{
		Hostname:   "web-plan1-abc12",
		OfferingID: "0b8d4f3e-6f4e-5a5e-9a43-0d3f3b1c2a10",
		Datacenter: "dc-nyc1",
		Labels:     map[string]string{"autoscaler.vpsie.io/nodegroup": "web"},
		Taints:     []corev1.Taint{{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule}},
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change  func(*cloud.CreateSpec)
		problem string // "" when valid
	}{
		"the fixture is valid":                  {change: func(*cloud.CreateSpec) {}},
		"no labels or taints is valid":          {change: func(s *cloud.CreateSpec) { s.Labels, s.Taints = nil, nil }},
		"a taint without value is valid":        {change: func(s *cloud.CreateSpec) { s.Taints[0].Value = "" }},
		"an empty hostname is refused":          {change: func(s *cloud.CreateSpec) { s.Hostname = "" }, problem: "hostname"},
		"an uppercase hostname is refused":      {change: func(s *cloud.CreateSpec) { s.Hostname = "Web-1" }, problem: "hostname"},
		"a 64-character hostname is refused":    {change: func(s *cloud.CreateSpec) { s.Hostname = strings.Repeat("a", 64) }, problem: "hostname"},
		"a missing offering is refused":         {change: func(s *cloud.CreateSpec) { s.OfferingID = "" }, problem: "offeringID"},
		"a missing datacenter is refused":       {change: func(s *cloud.CreateSpec) { s.Datacenter = "" }, problem: "datacenter"},
		"a label key with a space is refused":   {change: func(s *cloud.CreateSpec) { s.Labels["a b"] = "c" }, problem: "labels[a b]"},
		"a label value with a slash is refused": {change: func(s *cloud.CreateSpec) { s.Labels["a"] = "b/c" }, problem: "labels[a]"},
		"an unknown taint effect is refused":    {change: func(s *cloud.CreateSpec) { s.Taints[0].Effect = "Never" }, problem: "taints[dedicated]"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := validSpec()
			tc.change(&s)
			err := s.Validate()
			if tc.problem == "" {
				require.NoError(t, err)
				return
			}
			require.True(t, cloud.IsInvalid(err), "got %v", err)
			require.Contains(t, err.Error(), tc.problem)
		})
	}
}
