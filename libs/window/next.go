package window

import "time"

// NextStart returns the first time after t (in t's location) at which one
// of the windows opens, and false when there are none. A start that falls
// in a daylight-saving gap is moved forward as time.Date does.
func NextStart(windows []Window, t time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	for _, w := range windows {
		// A week and a day covers every weekday whatever t's time of day.
		for d := 0; d <= daysPerWeek; d++ {
			day := time.Date(t.Year(), t.Month(), t.Day()+d, 0, 0, 0, 0, t.Location())
			if !w.opensOn(day.Weekday()) {
				continue
			}
			start := time.Date(day.Year(), day.Month(), day.Day(), w.start/60, w.start%60, 0, 0, t.Location())
			if start.After(t) {
				if !found || start.Before(best) {
					best, found = start, true
				}
				break
			}
		}
	}
	return best, found
}

// End returns when the occurrence of w that contains t closes. It is only
// meaningful when w.Contains(t).
func (w Window) End(t time.Time) time.Time {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	if w.crossesMidnight() && t.Hour()*60+t.Minute() >= w.start {
		day = day.AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), w.end/60, w.end%60, 0, 0, t.Location())
}
