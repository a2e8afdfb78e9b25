package window

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// modelWindow is a window as the week model reads it.
type modelWindow struct {
	start, end int
	days       []time.Weekday
}

// modelSchedule is a second, independent reading of a schedule: at an
// instant, the wall clock in the zone as a minute of the week, checked
// against the week model of each window; ahead, one minute after another.
type modelSchedule struct {
	zone              *time.Location
	maintenance, peak []modelWindow
}

func (m modelSchedule) anyContains(ws []modelWindow, t time.Time) bool {
	wall := t.In(m.zone)
	weekMinute := int(wall.Weekday())*minutesPerDay + wall.Hour()*60 + wall.Minute()
	for _, w := range ws {
		if inModel(w.start, w.end, w.days, weekMinute) {
			return true
		}
	}
	return false
}

func (m modelSchedule) mayRun(t time.Time) bool {
	return (len(m.maintenance) == 0 || m.anyContains(m.maintenance, t)) && !m.anyContains(m.peak, t)
}

// first scans minute by minute: every zone in use today is offset from
// UTC by whole minutes, so the wall clock's minute changes on UTC's.
func (m modelSchedule) first(from time.Time, want bool) (time.Time, bool) {
	if m.mayRun(from) == want {
		return from, true
	}
	for t := from.Truncate(time.Minute).Add(time.Minute); !t.After(from.Add(Horizon)); t = t.Add(time.Minute) {
		if m.mayRun(t) == want {
			return t, true
		}
	}
	return time.Time{}, false
}

// propertyZones have summer time north and south, half- and
// quarter-hour offsets, a half-hour change (Lord Howe) and a change at
// midnight (Santiago), beside UTC.
var propertyZones = []string{"UTC", "America/New_York", "Asia/Kolkata", "Europe/Amsterdam",
	"Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham", "America/Santiago"}

// randomWindows draws up to max windows, with edges on the half hour half
// of the time so that windows and peak hours often meet and overlap.
func randomWindows(t *testing.T, rng *rand.Rand, max int) ([]Window, []modelWindow) {
	t.Helper()
	var ws []Window
	var ms []modelWindow
	for range rng.IntN(max + 1) {
		minute := func() int {
			if rng.IntN(2) == 0 {
				return rng.IntN(48) * 30
			}
			return rng.IntN(minutesPerDay)
		}
		start, end := minute(), minute()
		if start == end {
			continue
		}
		var days []time.Weekday
		var names []string
		if rng.IntN(3) > 0 {
			for d := time.Sunday; d <= time.Saturday; d++ {
				if rng.IntN(3) == 0 {
					days = append(days, d)
					names = append(names, d.String())
				}
			}
		}
		w, err := Parse(clock(start), clock(end), names)
		require.NoError(t, err)
		ws = append(ws, w)
		ms = append(ms, modelWindow{start: start, end: end, days: days})
	}
	return ws, ms
}

// randomInstant is a second of 2026, half of the time within a day and a
// half before one of the zone's clock changes.
func randomInstant(rng *rand.Rand, loc *time.Location) time.Time {
	t := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(365*24*time.Hour/time.Second))) * time.Second)
	if rng.IntN(2) == 0 {
		if _, change := t.In(loc).ZoneBounds(); !change.IsZero() {
			t = change.Add(-time.Duration(rng.Int64N(int64(36*time.Hour/time.Second))) * time.Second)
		}
	}
	return t
}

func checkScheduleAgainstModel(t *testing.T, s Schedule, m modelSchedule, now time.Time) {
	t.Helper()
	st := s.At(now)
	where := func(what string) string {
		return what + " at " + now.In(m.zone).Format(time.RFC3339) + " " + m.zone.String()
	}
	require.Equal(t, m.mayRun(now), st.MayRun, where("may run"))
	require.Equal(t, m.anyContains(m.maintenance, now), st.InWindow, where("in a window"))
	require.Equal(t, m.anyContains(m.peak, now), st.InPeak, where("in peak hours"))

	next, ok := m.first(now, true)
	require.Equal(t, ok, st.HasNextRun, where("has a next run"))
	require.Truef(t, next.Equal(st.NextRun), "%s: want %s, got %s", where("next run"), next.In(m.zone), st.NextRun)

	until, ok := time.Time{}, false
	if st.MayRun {
		until, ok = m.first(now, false)
	}
	require.Equal(t, ok, st.HasRunUntil, where("has an end to the run"))
	require.Truef(t, until.Equal(st.RunUntil), "%s: want %s, got %s", where("run until"), until.In(m.zone), st.RunUntil)
}

// Any schedule in any of the zones at any second of the year: whether a
// rebalance may run, when it may next and until when agree with a
// minute-by-minute scan of the week model.
func TestStatusAgreesWithTheWeekModel(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	zones := make([]*time.Location, len(propertyZones))
	for i, name := range propertyZones {
		zones[i] = zone(t, name)
	}
	for range 2000 {
		loc := zones[rng.IntN(len(zones))]
		maintenance, mm := randomWindows(t, rng, 3)
		peak, mp := randomWindows(t, rng, 2)
		s := Schedule{Zone: loc, Maintenance: maintenance, Peak: peak}
		checkScheduleAgainstModel(t, s, modelSchedule{zone: loc, maintenance: mm, peak: mp}, randomInstant(rng, loc))
	}
}

func FuzzStatusAgreesWithTheWeekModel(f *testing.F) {
	f.Add(uint8(1), uint16(22*60), uint16(2*60), uint8(1<<time.Friday), uint16(7*60), uint16(9*60), uint8(0), int64(0))
	f.Add(uint8(2), uint16(8*60), uint16(18*60), uint8(0), uint16(7*60), uint16(9*60), uint8(0), int64(5_000_000))
	f.Add(uint8(7), uint16(0), uint16(60), uint8(1<<time.Sunday), uint16(0), uint16(0), uint8(0), int64(23_000_000))
	f.Fuzz(func(t *testing.T, zoneIndex uint8, start, end uint16, days uint8, peakStart, peakEnd uint16, peakDays uint8, second int64) {
		loc := zone(t, propertyZones[int(zoneIndex)%len(propertyZones)])
		var s Schedule
		m := modelSchedule{zone: loc}
		s.Zone = loc
		add := func(ws *[]Window, ms *[]modelWindow, start, end uint16, dayBits uint8) {
			a, b := int(start)%minutesPerDay, int(end)%minutesPerDay
			if a == b {
				return // not a window
			}
			var days []time.Weekday
			var names []string
			for d := time.Sunday; d <= time.Saturday; d++ {
				if dayBits&(1<<d) != 0 {
					days = append(days, d)
					names = append(names, d.String())
				}
			}
			w, err := Parse(clock(a), clock(b), names)
			require.NoError(t, err)
			*ws = append(*ws, w)
			*ms = append(*ms, modelWindow{start: a, end: b, days: days})
		}
		add(&s.Maintenance, &m.maintenance, start, end, days&127)
		add(&s.Peak, &m.peak, peakStart, peakEnd, peakDays&127)
		const year = int64(365 * 24 * 60 * 60)
		now := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration((second%year+year)%year) * time.Second)
		checkScheduleAgainstModel(t, s, m, now)
	})
}
