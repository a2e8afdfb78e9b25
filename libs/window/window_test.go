package window

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	"github.com/stretchr/testify/require"
)

func mustParse(t *testing.T, start, end string, days ...string) Window {
	t.Helper()
	w, err := Parse(start, end, days)
	require.NoError(t, err)
	return w
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// 2026-01-03 is a Saturday.
func at(loc *time.Location, day, hour, minute int) time.Time {
	return time.Date(2026, time.January, day, hour, minute, 0, 0, loc)
}

func TestContains(t *testing.T) {
	t.Parallel()
	utc := time.UTC
	cases := map[string]struct {
		start, end string
		days       []string
		at         time.Time
		want       bool
	}{
		"inside a weekend window on saturday":             {"02:00", "04:00", []string{"saturday", "sunday"}, at(utc, 3, 3, 0), true},
		"at its start, which is inclusive":                {"02:00", "04:00", []string{"saturday"}, at(utc, 3, 2, 0), true},
		"at its end, which is exclusive":                  {"02:00", "04:00", []string{"saturday"}, at(utc, 3, 4, 0), false},
		"the right day but before the start":              {"02:00", "04:00", []string{"saturday"}, at(utc, 3, 1, 59), false},
		"the right time on another day":                   {"02:00", "04:00", []string{"saturday"}, at(utc, 5, 3, 0), false},
		"day names in any case":                           {"02:00", "04:00", []string{"Saturday"}, at(utc, 3, 3, 0), true},
		"no days means every day":                         {"02:00", "04:00", nil, at(utc, 7, 3, 0), true},
		"across midnight, before it on the start day":     {"22:00", "02:00", []string{"friday"}, at(utc, 2, 23, 0), true},
		"across midnight, after it on the next day":       {"22:00", "02:00", []string{"friday"}, at(utc, 3, 1, 30), true},
		"across midnight, at its end":                     {"22:00", "02:00", []string{"friday"}, at(utc, 3, 2, 0), false},
		"across midnight, the next day's evening":         {"22:00", "02:00", []string{"friday"}, at(utc, 3, 23, 0), false},
		"across midnight, early on the start day":         {"22:00", "02:00", []string{"friday"}, at(utc, 2, 1, 0), false},
		"across midnight from saturday into sunday":       {"23:00", "01:00", []string{"saturday"}, at(utc, 4, 0, 30), true},
		"across midnight from sunday wraps the week":      {"23:00", "01:00", []string{"sunday"}, at(utc, 5, 0, 30), true},
		"a window ending at 00:00 covers 23:59":           {"22:00", "00:00", []string{"saturday"}, at(utc, 3, 23, 59), true},
		"a window ending at 00:00 stops at midnight":      {"22:00", "00:00", []string{"saturday"}, at(utc, 4, 0, 0), false},
		"a window starting at 00:00 covers midnight":      {"00:00", "06:00", []string{"sunday"}, at(utc, 4, 0, 0), true},
		"a window longer than half a day across midnight": {"06:00", "05:00", []string{"monday"}, at(utc, 6, 4, 59), true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, mustParse(t, tc.start, tc.end, tc.days...).Contains(tc.at))
		})
	}
}

// The same instant is inside or outside a window depending on the zone the
// window is read in, as wall-clock time there.
func TestContainsReadsWallClockTimeInTheZone(t *testing.T) {
	t.Parallel()
	w := mustParse(t, "02:00", "04:00", "saturday")
	instant := time.Date(2026, time.January, 3, 1, 30, 0, 0, time.UTC) // Saturday 01:30 UTC
	cases := map[string]struct {
		zone string
		want bool
	}{
		"UTC, half an hour early":                           {"UTC", false},
		"Amsterdam, one hour ahead in winter":               {"Europe/Amsterdam", true},
		"Kolkata, five and a half hours ahead":              {"Asia/Kolkata", false},
		"New York, five hours behind: still friday evening": {"America/New_York", false},
		"Azores, one hour behind":                           {"Atlantic/Azores", false},
		"Kiritimati, fourteen hours ahead: saturday 15:30":  {"Pacific/Kiritimati", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, w.Contains(instant.In(zone(t, tc.zone))))
		})
	}
}

// On the night clocks go back, 02:30 happens twice and both are inside;
// on the night they go forward, 02:30 never happens and 03:30 is outside
// a 02:00-03:00 window.
func TestContainsAcrossDaylightSavingChanges(t *testing.T) {
	t.Parallel()
	ams := zone(t, "Europe/Amsterdam")
	w := mustParse(t, "02:00", "03:00", "sunday")
	fallBack := time.Date(2026, time.October, 25, 0, 30, 0, 0, time.UTC) // 02:30 CEST
	require.True(t, w.Contains(fallBack.In(ams)))
	require.True(t, w.Contains(fallBack.Add(time.Hour).In(ams)), "02:30 CET, the second time round")
	springForward := time.Date(2026, time.March, 29, 1, 30, 0, 0, time.UTC) // 03:30 CEST
	require.False(t, w.Contains(springForward.In(ams)))
}

func TestParseRefusesWhatIsNotAWindow(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		start, end string
		days       []string
	}{
		"an hour past 23":         {"24:00", "02:00", nil},
		"a minute past 59":        {"02:60", "03:00", nil},
		"one digit for the hour":  {"2:00", "03:00", nil},
		"a dot for a colon":       {"02.00", "03:00", nil},
		"a sign in the hour":      {"+2:00", "03:00", nil},
		"an empty end":            {"02:00", "", nil},
		"no length":               {"02:00", "02:00", nil},
		"an abbreviated day":      {"02:00", "03:00", []string{"sat"}},
		"a day that is not a day": {"02:00", "03:00", []string{"caturday"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tc.start, tc.end, tc.days)
			require.Error(t, err)
		})
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "sunday,saturday 02:00-04:00", mustParse(t, "02:00", "04:00", "saturday", "Sunday").String())
	require.Equal(t, "every day 22:00-02:00", mustParse(t, "22:00", "02:00").String())
}

func TestNextStartFindsTheEarliestOpening(t *testing.T) {
	t.Parallel()
	ams := zone(t, "Europe/Amsterdam")
	weekend := mustParse(t, "02:00", "04:00", "saturday", "sunday")
	nightly := mustParse(t, "22:00", "01:00", "wednesday")
	cases := map[string]struct {
		windows []Window
		now     time.Time
		want    time.Time
	}{
		"later the same day":              {[]Window{weekend}, at(ams, 3, 1, 0), at(ams, 3, 2, 0)},
		"inside one, the next occurrence": {[]Window{weekend}, at(ams, 3, 3, 0), at(ams, 4, 2, 0)},
		"after sunday's, next saturday":   {[]Window{weekend}, at(ams, 4, 5, 0), at(ams, 10, 2, 0)},
		"the earlier of two windows":      {[]Window{weekend, nightly}, at(ams, 5, 12, 0), at(ams, 7, 22, 0)},
		"a week later at the same minute": {[]Window{nightly}, at(ams, 7, 22, 0), at(ams, 14, 22, 0)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := NextStart(tc.windows, tc.now)
			require.True(t, ok)
			require.True(t, tc.want.Equal(got), "want %s, got %s", tc.want, got)
		})
	}
	_, ok := NextStart(nil, at(ams, 3, 0, 0))
	require.False(t, ok, "no windows, no opening")
}

func TestEndOfTheOccurrence(t *testing.T) {
	t.Parallel()
	w := mustParse(t, "22:00", "02:00", "friday")
	require.Equal(t, at(time.UTC, 3, 2, 0), w.End(at(time.UTC, 2, 23, 0)), "from friday evening to saturday 02:00")
	require.Equal(t, at(time.UTC, 3, 2, 0), w.End(at(time.UTC, 3, 1, 0)), "after midnight, the same day's 02:00")
	plain := mustParse(t, "09:00", "17:00")
	require.Equal(t, at(time.UTC, 5, 17, 0), plain.End(at(time.UTC, 5, 10, 0)))
}
