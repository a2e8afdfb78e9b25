package window

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func tw(start, end string, days ...string) *rebalancerv1.TimeWindow {
	return &rebalancerv1.TimeWindow{Start: start, End: end, Days: days}
}

func mustSchedule(t *testing.T, zone string, maintenance, peak []*rebalancerv1.TimeWindow) Schedule {
	t.Helper()
	s, err := ScheduleOf(&rebalancerv1.RebalancePolicy{TimeZone: zone, MaintenanceWindows: maintenance, PeakHours: peak})
	require.NoError(t, err)
	return s
}

func TestScheduleOfReadsThePolicy(t *testing.T) {
	t.Parallel()
	s, err := ScheduleOf(&rebalancerv1.RebalancePolicy{TimeZone: "Asia/Kolkata",
		MaintenanceWindows: []*rebalancerv1.TimeWindow{tw("22:00", "02:00", "friday"), tw("02:00", "04:00")},
		PeakHours:          []*rebalancerv1.TimeWindow{tw("09:00", "18:00", "Monday")}})
	require.NoError(t, err)
	require.Equal(t, "Asia/Kolkata", s.Zone.String())
	require.Equal(t, []Window{mustParse(t, "22:00", "02:00", "friday"), mustParse(t, "02:00", "04:00")}, s.Maintenance)
	require.Equal(t, []Window{mustParse(t, "09:00", "18:00", "monday")}, s.Peak)
}

func TestScheduleOfNamesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		policy *rebalancerv1.RebalancePolicy
		want   string
	}{
		"a zone that does not exist": {
			&rebalancerv1.RebalancePolicy{TimeZone: "Mars/Olympus_Mons", MaintenanceWindows: []*rebalancerv1.TimeWindow{tw("02:00", "04:00")}},
			`time zone "Mars/Olympus_Mons": `},
		"a zone that does not exist, read for peak hours alone": {
			&rebalancerv1.RebalancePolicy{TimeZone: "Mars/Olympus_Mons", PeakHours: []*rebalancerv1.TimeWindow{tw("09:00", "18:00")}},
			`time zone "Mars/Olympus_Mons": `},
		"the second maintenance window": {
			&rebalancerv1.RebalancePolicy{MaintenanceWindows: []*rebalancerv1.TimeWindow{tw("02:00", "04:00"), tw("2:00", "04:00")}},
			`maintenance window 1 (2:00-04:00): start: "2:00" is not HH:MM`},
		"a day of the peak hours": {
			&rebalancerv1.RebalancePolicy{PeakHours: []*rebalancerv1.TimeWindow{tw("09:00", "18:00", "funday")}},
			`peak hours 0 (09:00-18:00): day "funday": want an English day name such as "saturday"`},
		"peak hours without a length": {
			&rebalancerv1.RebalancePolicy{MaintenanceWindows: []*rebalancerv1.TimeWindow{tw("02:00", "04:00")},
				PeakHours: []*rebalancerv1.TimeWindow{tw("09:00", "09:00")}},
			`peak hours 0 (09:00-09:00): start and end are both 09:00`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ScheduleOf(tc.policy)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// Without windows the zone is never read: any time will do, as the
// Analyzer has always answered for such a policy.
func TestAScheduleWithoutWindowsNeedsNoZone(t *testing.T) {
	t.Parallel()
	for _, p := range []*rebalancerv1.RebalancePolicy{nil, {}, {TimeZone: "Mars/Olympus_Mons"}} {
		s, err := ScheduleOf(p)
		require.NoError(t, err)
		st := s.At(at(time.UTC, 5, 10, 0))
		require.True(t, st.MayRun)
		require.False(t, st.HasRunUntil)
	}
	s, err := ScheduleOf(&rebalancerv1.RebalancePolicy{MaintenanceWindows: []*rebalancerv1.TimeWindow{tw("02:00", "04:00")}})
	require.NoError(t, err)
	require.Equal(t, time.UTC, s.Zone, "no zone named is UTC")
}

// utc is a UTC instant in 2026.
func utc(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, time.UTC)
}

// statusCase reads a schedule at an instant. A zero time in the want
// fields means "not set": no next run, no end of this one.
type statusCase struct {
	zone              string
	maintenance, peak []*rebalancerv1.TimeWindow
	at                time.Time
	mayRun            bool
	nextRun, runUntil time.Time
}

func checkStatus(t *testing.T, tc statusCase) Status {
	t.Helper()
	s := mustSchedule(t, tc.zone, tc.maintenance, tc.peak)
	st := s.At(tc.at)
	require.Equal(t, s.Zone, st.Now.Location())
	require.True(t, tc.at.Equal(st.Now))
	require.Equal(t, tc.mayRun, st.MayRun, "may run at %s", st.Now)
	require.Equal(t, !tc.nextRun.IsZero(), st.HasNextRun, "next run %s", st.NextRun)
	require.Truef(t, tc.nextRun.Equal(st.NextRun), "next run: want %s, got %s", tc.nextRun.In(s.Zone), st.NextRun)
	require.Equal(t, !tc.runUntil.IsZero(), st.HasRunUntil, "run until %s", st.RunUntil)
	require.Truef(t, tc.runUntil.Equal(st.RunUntil), "run until: want %s, got %s", tc.runUntil.In(s.Zone), st.RunUntil)
	if st.HasNextRun {
		require.Equal(t, s.Zone, st.NextRun.Location())
	}
	return st
}

func TestStatusSaysWhenARebalanceMayRun(t *testing.T) {
	t.Parallel()
	u := time.UTC
	every := func(start, end string, days ...string) []*rebalancerv1.TimeWindow {
		return []*rebalancerv1.TimeWindow{tw(start, end, days...)}
	}
	// January 2026: Saturday the 3rd, Monday the 5th, Friday the 9th.
	cases := map[string]statusCase{
		"no windows and no peak hours: any time, without end": {
			at: at(u, 5, 10, 0), mayRun: true, nextRun: at(u, 5, 10, 0)},
		"inside a window: it runs until the window closes": {
			maintenance: every("02:00", "04:00", "saturday"),
			at:          at(u, 3, 3, 0), mayRun: true, nextRun: at(u, 3, 3, 0), runUntil: at(u, 3, 4, 0)},
		"before a window: the next run is when it opens": {
			maintenance: every("02:00", "04:00", "saturday"),
			at:          at(u, 3, 1, 0), nextRun: at(u, 3, 2, 0)},
		"at a window's end: the next run is a week on": {
			maintenance: every("02:00", "04:00", "saturday"),
			at:          at(u, 3, 4, 0), nextRun: at(u, 10, 2, 0)},
		"a window across midnight, after midnight: it runs until the end on the next day": {
			maintenance: every("22:00", "02:00", "friday"),
			at:          at(u, 3, 1, 0), mayRun: true, nextRun: at(u, 3, 1, 0), runUntil: at(u, 3, 2, 0)},
		"a window across midnight, before it opens on its day": {
			maintenance: every("22:00", "02:00", "friday"),
			at:          at(u, 9, 21, 0), nextRun: at(u, 9, 22, 0)},
		"a window across midnight from sunday wraps the week": {
			maintenance: every("23:00", "01:00", "sunday"),
			at:          at(u, 5, 0, 30), mayRun: true, nextRun: at(u, 5, 0, 30), runUntil: at(u, 5, 1, 0)},
		"day lists: a saturday waits for monday": {
			maintenance: every("09:00", "17:00", "monday", "wednesday"),
			at:          at(u, 3, 12, 0), nextRun: at(u, 5, 9, 0)},
		"day lists: after monday's window, wednesday's": {
			maintenance: every("09:00", "17:00", "monday", "wednesday"),
			at:          at(u, 5, 17, 30), nextRun: at(u, 7, 9, 0)},
		"peak hours inside a window end the run when they begin": {
			maintenance: every("08:00", "18:00"), peak: every("12:00", "13:00"),
			at: at(u, 5, 10, 0), mayRun: true, nextRun: at(u, 5, 10, 0), runUntil: at(u, 5, 12, 0)},
		"in peak hours inside a window, the run resumes when they end": {
			maintenance: every("08:00", "18:00"), peak: every("12:00", "13:00"),
			at: at(u, 5, 12, 30), nextRun: at(u, 5, 13, 0)},
		"a window that opens during peak hours runs when they end": {
			maintenance: every("08:00", "18:00"), peak: every("07:00", "09:00"),
			at: at(u, 5, 6, 0), nextRun: at(u, 5, 9, 0)},
		"peak hours past a window's end: the next run is the next window": {
			maintenance: every("08:00", "18:00", "monday"), peak: every("17:00", "19:00"),
			at: at(u, 5, 17, 30), nextRun: at(u, 12, 8, 0)},
		"peak hours on other days leave the window alone": {
			maintenance: every("08:00", "18:00", "monday"), peak: every("00:00", "23:59", "tuesday"),
			at: at(u, 5, 17, 30), mayRun: true, nextRun: at(u, 5, 17, 30), runUntil: at(u, 5, 18, 0)},
		"peak hours covering every window: never": {
			maintenance: every("02:00", "04:00", "saturday"), peak: every("01:00", "05:00"),
			at: at(u, 3, 1, 0)},
		"peak hours across midnight covering a window across midnight: never": {
			maintenance: every("23:00", "01:00"), peak: every("22:00", "02:00"),
			at: at(u, 3, 23, 30)},
		"peak hours only, inside them: after they end": {
			peak: every("09:00", "18:00"),
			at:   at(u, 5, 10, 0), nextRun: at(u, 5, 18, 0)},
		"peak hours only, outside them: until the next begin": {
			peak: every("09:00", "18:00"),
			at:   at(u, 5, 19, 0), mayRun: true, nextRun: at(u, 5, 19, 0), runUntil: at(u, 6, 9, 0)},
		"adjacent windows: the run goes on past the first one's end": {
			maintenance: []*rebalancerv1.TimeWindow{tw("02:00", "04:00", "saturday"), tw("04:00", "06:00", "saturday")},
			at:          at(u, 3, 3, 0), mayRun: true, nextRun: at(u, 3, 3, 0), runUntil: at(u, 3, 6, 0)},
		"windows covering the whole week: no end in sight": {
			maintenance: []*rebalancerv1.TimeWindow{tw("00:00", "12:00"), tw("12:00", "00:00")},
			at:          at(u, 3, 3, 0), mayRun: true, nextRun: at(u, 3, 3, 0)},
		"between minutes: the next run is the window's first instant": {
			maintenance: every("02:00", "04:00"),
			at:          time.Date(2026, time.January, 3, 1, 59, 30, 0, u), nextRun: at(u, 3, 2, 0)},
		"Kolkata: 20:00 UTC is 01:30 the next day, half an hour before the window": {
			zone: "Asia/Kolkata", maintenance: every("02:00", "04:00", "sunday"),
			at: utc(time.January, 31, 20, 0), nextRun: utc(time.January, 31, 20, 30)},
		"Kolkata: peak hours over a window's opening": {
			zone: "Asia/Kolkata", maintenance: every("22:00", "06:00"), peak: every("21:00", "23:30"),
			at: utc(time.January, 31, 16, 0), nextRun: utc(time.January, 31, 18, 0)},
		"Kolkata: the run ends with the window at 06:00 IST": {
			zone: "Asia/Kolkata", maintenance: every("22:00", "06:00"), peak: every("21:00", "23:30"),
			at: utc(time.January, 31, 19, 0), mayRun: true, nextRun: utc(time.January, 31, 19, 0), runUntil: utc(time.February, 1, 0, 30)},
		// 2026-03-08, New York: 02:00 EST becomes 03:00 EDT.
		"New York, clocks go forward: a window loses its second hour": {
			zone: "America/New_York", maintenance: every("01:00", "03:00", "sunday"),
			at: utc(time.March, 8, 6, 30), mayRun: true, nextRun: utc(time.March, 8, 6, 30), runUntil: utc(time.March, 8, 7, 0)},
		"New York, clocks go forward: a window opening in the skipped hour runs from 03:00": {
			zone: "America/New_York", maintenance: every("02:30", "04:00", "sunday"),
			at: utc(time.March, 8, 5, 0), nextRun: utc(time.March, 8, 7, 0)},
		"New York, clocks go forward: peak hours ending in the skipped hour end at 03:00": {
			zone: "America/New_York", peak: every("00:00", "02:30"),
			at: utc(time.March, 8, 6, 0), nextRun: utc(time.March, 8, 7, 0)},
		// 2026-11-01, New York: 02:00 EDT becomes 01:00 EST.
		"New York, clocks go back: the repeated hour is in the window twice": {
			zone: "America/New_York", maintenance: every("01:00", "02:00", "sunday"),
			at: utc(time.November, 1, 5, 30), mayRun: true, nextRun: utc(time.November, 1, 5, 30), runUntil: utc(time.November, 1, 7, 0)},
		"New York, clocks go back: peak hours come round again in the repeated hour": {
			zone: "America/New_York", peak: every("00:00", "01:30"),
			at: utc(time.November, 1, 5, 30), mayRun: true, nextRun: utc(time.November, 1, 5, 30), runUntil: utc(time.November, 1, 6, 0)},
		"New York, clocks go back: the second 01:30 waits for the second end of peak hours": {
			zone: "America/New_York", peak: every("00:00", "01:30"),
			at: utc(time.November, 1, 6, 0), nextRun: utc(time.November, 1, 6, 30)},
		"New York, a window across midnight read in summer time": {
			zone: "America/New_York", maintenance: every("22:00", "02:00", "friday"),
			at: utc(time.July, 11, 4, 0), mayRun: true, nextRun: utc(time.July, 11, 4, 0), runUntil: utc(time.July, 11, 6, 0)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkStatus(t, tc)
		})
	}
}

func TestStatusNamesTheWindowAndPeakHoursOfNow(t *testing.T) {
	t.Parallel()
	s := mustSchedule(t, "America/New_York",
		[]*rebalancerv1.TimeWindow{tw("09:00", "10:00", "monday"), tw("22:00", "10:00", "friday")},
		[]*rebalancerv1.TimeWindow{tw("08:00", "09:30")})
	ny := s.Zone

	// Saturday 09:00 in New York: inside friday 22:00-10:00 and peak hours.
	st := s.At(utc(time.January, 31, 14, 0))
	require.True(t, st.InWindow)
	require.Equal(t, "friday 22:00-10:00", st.Window.String())
	require.Equal(t, time.Date(2026, time.January, 31, 10, 0, 0, 0, ny), st.WindowEnds)
	require.True(t, st.InPeak)
	require.Equal(t, "every day 08:00-09:30", st.Peak.String())
	require.Equal(t, time.Date(2026, time.January, 31, 9, 30, 0, 0, ny), st.PeakEnds)
	require.False(t, st.MayRun)
	require.Equal(t, time.Date(2026, time.January, 31, 9, 30, 0, 0, ny), st.NextRun)
	require.True(t, st.HasNextWindow)
	require.Equal(t, time.Date(2026, time.February, 2, 9, 0, 0, 0, ny), st.NextWindow, "monday's")

	// Sunday noon: in neither.
	st = s.At(utc(time.February, 1, 17, 0))
	require.False(t, st.InWindow)
	require.False(t, st.InPeak)
	require.False(t, st.MayRun)
	require.Equal(t, time.Date(2026, time.February, 2, 9, 30, 0, 0, ny), st.NextRun, "monday's window, after peak hours")
	require.Equal(t, st.NextWindow, time.Date(2026, time.February, 2, 9, 0, 0, 0, ny))
}

// A zero Schedule reads in UTC and allows any time.
func TestTheZeroScheduleAllowsAnyTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, time.January, 3, 3, 0, 0, 0, zone(t, "Asia/Kolkata"))
	st := Schedule{}.At(now)
	require.Equal(t, time.UTC, st.Now.Location())
	require.True(t, st.MayRun)
	require.True(t, st.HasNextRun)
	require.True(t, now.Equal(st.NextRun))
	require.False(t, st.HasRunUntil)
	require.False(t, st.InWindow)
	require.False(t, st.HasNextWindow)
}
