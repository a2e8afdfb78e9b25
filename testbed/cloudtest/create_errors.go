package cloudtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// runCreateErrors changes one thing in a valid request per case and checks
// the error kind and that no VM was created.
func runCreateErrors(t *testing.T, newSubject func(*testing.T) Subject) {
	cases := map[string]struct {
		setup  func(Faults)
		change func(*cloud.CreateSpec)
		is     func(error) bool
	}{
		"a hostname that is not a DNS label is invalid": {
			change: func(s *cloud.CreateSpec) { s.Hostname = "Not_A_Host" }, is: cloud.IsInvalid},
		"a missing offering is invalid": {
			change: func(s *cloud.CreateSpec) { s.OfferingID = "" }, is: cloud.IsInvalid},
		"a bad label key is invalid": {
			change: func(s *cloud.CreateSpec) { s.Labels["bad key"] = "x" }, is: cloud.IsInvalid},
		"a bad taint effect is invalid": {
			change: func(s *cloud.CreateSpec) { s.Taints[0].Effect = "Sometimes" }, is: cloud.IsInvalid},
		"an unknown offering is not found": {
			change: func(s *cloud.CreateSpec) { s.OfferingID = catalog.ID("offering", "huge-999") }, is: cloud.IsNotFound},
		"an unknown datacenter is not found": {
			change: func(s *cloud.CreateSpec) { s.Datacenter = "dc-nowhere" }, is: cloud.IsNotFound},
		"an offering the datacenter does not sell is unavailable": {
			change: func(s *cloud.CreateSpec) {
				s.Datacenter = catalog.AMS1
				s.OfferingID = catalog.ID("offering", "memory-8")
			},
			is: cloud.IsOfferingUnavailable},
		"an offering made unavailable is unavailable": {
			setup: func(f Faults) { f.MakeUnavailable(catalog.NYC1, "compute-4") },
			is:    cloud.IsOfferingUnavailable},
		"a full quota refuses the VM": {
			setup: func(f Faults) { f.LimitVMs(0) }, is: cloud.IsQuotaExceeded},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, spec := newSubject(t), validSpec()
			if tc.setup != nil {
				tc.setup(s.Faults)
			}
			if tc.change != nil {
				tc.change(&spec)
			}
			_, err := s.Provider.CreateVM(t.Context(), spec)
			require.Error(t, err)
			require.True(t, tc.is(err), "got %v", err)
			require.NotContains(t, hostnames(t, s.Provider), spec.Hostname)
		})
	}
	t.Run("an offering made unavailable leaves the listing", func(t *testing.T) {
		t.Parallel()
		s := newSubject(t)
		s.Faults.MakeUnavailable(catalog.NYC1, "compute-4")
		offerings, err := s.Provider.ListOfferings(t.Context(), catalog.NYC1)
		require.NoError(t, err)
		for _, o := range offerings {
			require.NotEqual(t, "compute-4", o.Name)
		}
		_, err = s.Provider.GetOffering(t.Context(), catalog.NYC1, "compute-4")
		require.True(t, cloud.IsOfferingUnavailable(err), "got %v", err)
	})
}
