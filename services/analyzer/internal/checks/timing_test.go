package checks_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
)

// The timing cases read their windows against the fixture's now.
func TestFixtureTime(t *testing.T) {
	t.Parallel()
	if now.Weekday() != time.Saturday || now.Hour() != 14 {
		t.Fatalf("the timing cases assume Saturday 14:00 UTC, now is %s", now)
	}
}

func windows(f *fixture, zone string, ws ...v1alpha1.TimeWindow) {
	f.group.Spec.Rebalancing.TimeZone = zone
	f.group.Spec.Rebalancing.MaintenanceWindows = ws
}

func TestTiming(t *testing.T) {
	t.Parallel()
	runCases(t, map[string]testCase{
		"inside the cooldown after the last rebalance": {
			edit: func(f *fixture) { f.group.Status.LastRebalanceTime = &metav1.Time{Time: now.Add(-20 * time.Minute)} },
			want: want{check: checks.NameCooldown, status: failed, wait: true,
				contains: []string{"the last rebalance ended at 2026-01-31T13:40:00Z; the cooldown of 1h0m0s runs until 2026-01-31T14:40:00Z"}},
		},
		"after the cooldown": {
			edit: func(f *fixture) { f.group.Status.LastRebalanceTime = &metav1.Time{Time: now.Add(-61 * time.Minute)} },
			want: want{check: checks.NameCooldown, status: passed},
		},
		"a custom cooldown": {
			edit: func(f *fixture) {
				f.group.Status.LastRebalanceTime = &metav1.Time{Time: now.Add(-61 * time.Minute)}
				f.group.Spec.Rebalancing.CooldownPeriod = &metav1.Duration{Duration: 2 * time.Hour}
			},
			want: want{check: checks.NameCooldown, status: failed, wait: true, contains: []string{"the cooldown of 2h0m0s runs until"}},
		},
		"inside a weekend maintenance window": {
			edit: func(f *fixture) {
				windows(f, "UTC", v1alpha1.TimeWindow{Start: "12:00", End: "16:00", Days: []v1alpha1.Weekday{"saturday"}})
			},
			want: want{check: checks.NameMaintenanceWindow, status: passed,
				contains: []string{"inside maintenance window saturday 12:00-16:00 (UTC) until Saturday 2026-01-31 16:00 UTC"}},
		},
		"outside every maintenance window, with the next opening": {
			edit: func(f *fixture) {
				windows(f, "UTC", v1alpha1.TimeWindow{Start: "02:00", End: "04:00", Days: []v1alpha1.Weekday{"saturday", "sunday"}})
			},
			want: want{check: checks.NameMaintenanceWindow, status: failed, wait: true, contains: []string{
				"outside every maintenance window at Saturday 2026-01-31 14:00 UTC; the next opens Sunday 2026-02-01 02:00 UTC"}},
		},
		"a window read in the group's time zone": {
			// 14:00 UTC is 23:00 in Tokyo, inside a 22:00-02:00 window.
			edit: func(f *fixture) {
				windows(f, "Asia/Tokyo", v1alpha1.TimeWindow{Start: "22:00", End: "02:00", Days: []v1alpha1.Weekday{"saturday"}})
			},
			want: want{check: checks.NameMaintenanceWindow, status: passed, contains: []string{"until Sunday 2026-02-01 02:00 JST"}},
		},
		"a window across midnight, in its second day": {
			// 14:00 UTC is Saturday 09:00 in New York, covered by friday 22:00-10:00.
			edit: func(f *fixture) {
				windows(f, "America/New_York", v1alpha1.TimeWindow{Start: "22:00", End: "10:00", Days: []v1alpha1.Weekday{"friday"}})
			},
			want: want{check: checks.NameMaintenanceWindow, status: passed, contains: []string{"friday 22:00-10:00 (America/New_York)"}},
		},
		"the same window on the wrong day": {
			edit: func(f *fixture) {
				windows(f, "America/New_York", v1alpha1.TimeWindow{Start: "22:00", End: "10:00", Days: []v1alpha1.Weekday{"saturday"}})
			},
			want: want{check: checks.NameMaintenanceWindow, status: failed, wait: true,
				contains: []string{"the next opens Saturday 2026-01-31 22:00 EST"}},
		},
		"a time zone that does not exist": {
			edit: func(f *fixture) { windows(f, "Mars/Olympus_Mons", v1alpha1.TimeWindow{Start: "02:00", End: "04:00"}) },
			want: want{check: checks.NameMaintenanceWindow, status: failed, contains: []string{`time zone "Mars/Olympus_Mons"`}},
		},
		"inside peak hours": {
			edit: func(f *fixture) {
				f.group.Spec.Rebalancing.PeakHours = []v1alpha1.TimeWindow{{Start: "09:00", End: "18:00"}}
			},
			want: want{check: checks.NamePeakHours, status: failed, wait: true,
				contains: []string{"inside peak hours every day 09:00-18:00 (UTC) at Saturday 2026-01-31 14:00 UTC, until Saturday 2026-01-31 18:00 UTC"}},
		},
		"inside peak hours read in the group's time zone": {
			// 14:00 UTC is 19:30 in Kolkata.
			edit: func(f *fixture) {
				f.group.Spec.Rebalancing.TimeZone = "Asia/Kolkata"
				f.group.Spec.Rebalancing.PeakHours = []v1alpha1.TimeWindow{{Start: "18:00", End: "22:00"}}
			},
			want: want{check: checks.NamePeakHours, status: failed, wait: true,
				contains: []string{"inside peak hours every day 18:00-22:00 (Asia/Kolkata) at Saturday 2026-01-31 19:30 IST, until Saturday 2026-01-31 22:00 IST"}},
		},
		"peak hours that cannot be read fail their own check": {
			edit: func(f *fixture) {
				f.group.Spec.Rebalancing.PeakHours = []v1alpha1.TimeWindow{{Start: "9:00", End: "18:00"}}
			},
			want: want{check: checks.NamePeakHours, status: failed,
				contains: []string{`the peak hours cannot be read: peak hours 0 (9:00-18:00): start: "9:00" is not HH:MM`}},
		},
		"peak hours that cannot be read leave the maintenance windows to their own check": {
			edit: func(f *fixture) {
				windows(f, "UTC", v1alpha1.TimeWindow{Start: "12:00", End: "16:00"})
				f.group.Spec.Rebalancing.PeakHours = []v1alpha1.TimeWindow{{Start: "9:00", End: "18:00"}}
			},
			want: want{check: checks.NameMaintenanceWindow, status: passed, contains: []string{"inside maintenance window every day 12:00-16:00 (UTC)"}},
		},
		"a maintenance window that cannot be read is named": {
			edit: func(f *fixture) {
				windows(f, "UTC", v1alpha1.TimeWindow{Start: "12:00", End: "16:00"}, v1alpha1.TimeWindow{Start: "02:00", End: "02:00"})
			},
			want: want{check: checks.NameMaintenanceWindow, status: failed,
				contains: []string{"the maintenance windows cannot be read: maintenance window 1 (02:00-02:00): start and end are both 02:00"}},
		},
		"peak hours in a time zone that does not exist": {
			edit: func(f *fixture) {
				f.group.Spec.Rebalancing.TimeZone = "Mars/Olympus_Mons"
				f.group.Spec.Rebalancing.PeakHours = []v1alpha1.TimeWindow{{Start: "09:00", End: "18:00"}}
			},
			want: want{check: checks.NamePeakHours, status: failed, contains: []string{`the peak hours cannot be read: time zone "Mars/Olympus_Mons"`}},
		},
		"outside peak hours on other days": {
			edit: func(f *fixture) {
				f.group.Spec.Rebalancing.PeakHours = []v1alpha1.TimeWindow{{Start: "09:00", End: "18:00",
					Days: []v1alpha1.Weekday{"monday", "tuesday", "wednesday", "thursday", "friday"}}}
			},
			want: want{check: checks.NamePeakHours, status: passed},
		},
	})
}

// The details carry the zone and, in UTC, when the wait ends.
func TestTimingDetails(t *testing.T) {
	t.Parallel()
	f := valid()
	windows(f, "Asia/Kolkata", v1alpha1.TimeWindow{Start: "02:00", End: "04:00", Days: []v1alpha1.Weekday{"sunday"}})
	f.group.Spec.Rebalancing.PeakHours = []v1alpha1.TimeWindow{{Start: "18:00", End: "22:00"}}
	in := f.input(t)
	require.Equal(t, map[string]string{"timeZone": "Asia/Kolkata", "nextWindow": "2026-01-31T20:30:00Z"},
		checks.MaintenanceWindow(in).Check.GetDetails(), "Sunday 02:00 IST")
	require.Equal(t, map[string]string{"timeZone": "Asia/Kolkata", "peakEnds": "2026-01-31T16:30:00Z"},
		checks.PeakHours(in).Check.GetDetails(), "Saturday 22:00 IST")
}
