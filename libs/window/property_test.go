package window

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// inModel is a second, independent reading of a window: the set of minutes
// of the week it covers, as intervals [day×1440+start, day×1440+end) with
// the end moved a day on when the window crosses midnight, modulo a week.
func inModel(start, end int, days []time.Weekday, weekMinute int) bool {
	const week = daysPerWeek * minutesPerDay
	length := end - start
	if length <= 0 {
		length += minutesPerDay
	}
	if len(days) == 0 {
		days = []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	}
	for _, d := range days {
		from := int(d)*minutesPerDay + start
		offset := ((weekMinute-from)%week + week) % week
		if offset < length {
			return true
		}
	}
	return false
}

// sunday0 is a Sunday at 00:00 UTC: the origin of week minutes.
var sunday0 = time.Date(2026, time.January, 4, 0, 0, 0, 0, time.UTC)

func checkAgainstModel(t *testing.T, start, end int, dayBits uint8, weekMinute int) {
	t.Helper()
	var days []time.Weekday
	var names []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		if dayBits&(1<<d) != 0 {
			days = append(days, d)
			names = append(names, d.String())
		}
	}
	w, err := Parse(clock(start), clock(end), names)
	require.NoError(t, err)
	instant := sunday0.Add(time.Duration(weekMinute) * time.Minute)
	require.Equal(t, inModel(start, end, days, weekMinute), w.Contains(instant),
		"window %s at %s", w, instant.Format("Monday 15:04"))
}

// Any window, any minute of the week: Contains agrees with the model.
func TestContainsAgreesWithTheWeekModel(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		start, end := rng.IntN(minutesPerDay), rng.IntN(minutesPerDay)
		if start == end {
			continue
		}
		checkAgainstModel(t, start, end, uint8(rng.IntN(128)), rng.IntN(daysPerWeek*minutesPerDay))
	}
}

func FuzzContainsAgreesWithTheWeekModel(f *testing.F) {
	f.Add(uint16(22*60), uint16(2*60), uint8(1<<time.Friday), uint16(6*minutesPerDay+60))
	f.Add(uint16(0), uint16(23*60+59), uint8(0), uint16(0))
	f.Add(uint16(23*60+59), uint16(0), uint8(1<<time.Saturday), uint16(6*minutesPerDay+23*60+59))
	f.Fuzz(func(t *testing.T, start, end uint16, days uint8, weekMinute uint16) {
		s, e := int(start)%minutesPerDay, int(end)%minutesPerDay
		if s == e {
			return // not a window; TestParseRefusesWhatIsNotAWindow covers it
		}
		checkAgainstModel(t, s, e, days&127, int(weekMinute)%(daysPerWeek*minutesPerDay))
	})
}

func FuzzParseNeverAcceptsWhatItCannotPrint(f *testing.F) {
	f.Add("02:00", "04:00", "saturday")
	f.Add("22:00", "02:00", "FRIDAY")
	f.Add("2:00", "24:00", "sat")
	f.Fuzz(func(t *testing.T, start, end, day string) {
		w, err := Parse(start, end, []string{day})
		if err != nil {
			return
		}
		again, err := Parse(clock(w.start), clock(w.end), []string{day})
		require.NoError(t, err)
		require.Equal(t, w, again)
		require.Equal(t, start, clock(w.start), "only HH:MM is accepted")
	})
}
