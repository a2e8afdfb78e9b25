package window

import (
	"iter"
	"slices"
	"time"
)

// Horizon bounds how far ahead a Status looks for the next run and for the
// end of this one: a week repeats every window, and a day more covers a
// window crossing midnight and a week whose clocks changed.
const Horizon = 8 * 24 * time.Hour

// first returns the earliest instant in [from, from+Horizon] at which
// mayRun is want, and false when there is none.
func (s Schedule) first(from time.Time, want bool) (time.Time, bool) {
	if s.mayRun(from) == want {
		return from, true
	}
	for t := range s.changes(from, from.Add(Horizon)) {
		if s.mayRun(t) == want {
			return t.In(s.zone()), true
		}
	}
	return time.Time{}, false
}

// changes yields, in order, the instants in (from, to] at which mayRun
// may change: where the wall clock reaches a window's start or end, and
// where the zone's offset changes. Between two of them the wall clock
// runs at one offset without reaching an edge, so mayRun holds (the day
// changes at midnight, but a window's state does not unless it starts or
// ends there).
//
// Within each zone period the edges are placed at that period's fixed
// offset: a wall time that a daylight-saving change skips is not yielded,
// and one it repeats is yielded twice.
func (s Schedule) changes(from, to time.Time) iter.Seq[time.Time] {
	edges := s.edges()
	return func(yield func(time.Time) bool) {
		for p := from; p.Before(to); {
			local := p.In(s.zone())
			_, offset := local.Zone()
			_, end := local.ZoneBounds()
			if end.IsZero() || end.After(to) {
				end = to
			}
			wall := local.In(time.FixedZone(local.Location().String(), offset))
			for day := time.Date(wall.Year(), wall.Month(), wall.Day(), 0, 0, 0, 0, wall.Location()); day.Before(end); day = day.AddDate(0, 0, 1) {
				for _, m := range edges {
					t := day.Add(time.Duration(m) * time.Minute)
					if t.After(p) && t.Before(end) && !yield(t) {
						return
					}
				}
			}
			if !yield(end) {
				return
			}
			p = end
		}
	}
}

// edges are the minutes of the day at which some window opens or closes,
// sorted.
func (s Schedule) edges() []int {
	var out []int
	for _, w := range slices.Concat(s.Maintenance, s.Peak) {
		out = append(out, w.start, w.end)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
