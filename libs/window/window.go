// Package window answers whether an instant falls in a daily time window:
// maintenance windows a rebalance may run in, peak hours it must not.
// A Schedule reads a policy's windows together and says whether a
// rebalance may run at an instant and, if not, when it may next: the
// Analyzer's timing checks and the Executor's live guards both ask it, so
// they cannot disagree.
//
// A window is wall-clock time in a time zone: a start and an exclusive end
// ("HH:MM", 24 h) on some days of the week. An end before the start
// crosses midnight (22:00 to 02:00), and the window belongs to the day it
// starts on: "friday 22:00-02:00" covers Friday night and the first two
// hours of Saturday. Days are English day names in any case; none means
// every day. The original implementation compared day names only, case
// sensitively, and ignored the times; this one does neither.
package window

import (
	"fmt"
	"strings"
	"time"
)

const (
	minutesPerDay = 24 * 60
	daysPerWeek   = 7
)

// Window is one parsed window. The zero value is not a window; use Parse.
type Window struct {
	start, end int // minutes after midnight; end exclusive
	days       [daysPerWeek]bool
	everyDay   bool
}

// Parse reads a window from its policy form.
func Parse(start, end string, days []string) (Window, error) {
	var w Window
	var err error
	if w.start, err = parseClock(start); err != nil {
		return Window{}, fmt.Errorf("start: %w", err)
	}
	if w.end, err = parseClock(end); err != nil {
		return Window{}, fmt.Errorf("end: %w", err)
	}
	if w.start == w.end {
		return Window{}, fmt.Errorf("start and end are both %s: a window must have a length", start)
	}
	w.everyDay = len(days) == 0
	for _, d := range days {
		wd, ok := parseDay(d)
		if !ok {
			return Window{}, fmt.Errorf("day %q: want an English day name such as \"saturday\"", d)
		}
		w.days[wd] = true
	}
	return w, nil
}

// parseClock reads "HH:MM" strictly: two digits each, 00:00 to 23:59.
func parseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' || !digits(s[:2]) || !digits(s[3:]) {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	return h*60 + m, nil
}

func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func parseDay(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.ToLower(d.String()) == s {
			return d, true
		}
	}
	return 0, false
}

// crossesMidnight reports whether the window ends on the day after it starts.
func (w Window) crossesMidnight() bool { return w.end < w.start }

func (w Window) opensOn(d time.Weekday) bool { return w.everyDay || w.days[d] }

// Contains reports whether t, read as wall-clock time in t's location,
// falls in the window. Convert t with In(zone) first.
func (w Window) Contains(t time.Time) bool {
	minute := t.Hour()*60 + t.Minute()
	today := t.Weekday()
	if !w.crossesMidnight() {
		return w.opensOn(today) && minute >= w.start && minute < w.end
	}
	yesterday := (today + daysPerWeek - 1) % daysPerWeek
	return (w.opensOn(today) && minute >= w.start) || (w.opensOn(yesterday) && minute < w.end)
}

// String renders the window as an operator wrote it: "saturday,sunday 02:00-04:00".
func (w Window) String() string {
	times := fmt.Sprintf("%s-%s", clock(w.start), clock(w.end))
	if w.everyDay {
		return "every day " + times
	}
	var names []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		if w.days[d] {
			names = append(names, strings.ToLower(d.String()))
		}
	}
	return strings.Join(names, ",") + " " + times
}

func clock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// Find returns the first of windows that contains t.
func Find(windows []Window, t time.Time) (Window, bool) {
	for _, w := range windows {
		if w.Contains(t) {
			return w, true
		}
	}
	return Window{}, false
}
