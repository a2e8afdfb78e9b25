package window

import (
	"fmt"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Schedule is a policy's timing: the zone its windows are read in, the
// maintenance windows a rebalance may run in (none: any time) and the
// peak hours it may not run in, even inside a maintenance window.
type Schedule struct {
	// Zone the windows are read in; nil reads them in UTC.
	Zone        *time.Location
	Maintenance []Window
	Peak        []Window
}

// ScheduleOf reads the schedule of p: its time_zone, maintenance_windows
// and peak_hours. The error names what cannot be read: the zone, or the
// list, index and times of a window. A policy without windows needs no
// zone, so its zone is not read: such a policy allows any time.
func ScheduleOf(p *rebalancerv1.RebalancePolicy) (Schedule, error) {
	maintenance, peak := p.GetMaintenanceWindows(), p.GetPeakHours()
	if len(maintenance) == 0 && len(peak) == 0 {
		return Schedule{Zone: time.UTC}, nil
	}
	zone, err := time.LoadLocation(p.GetTimeZone())
	if err != nil {
		return Schedule{}, fmt.Errorf("time zone %q: %w", p.GetTimeZone(), err)
	}
	s := Schedule{Zone: zone}
	if s.Maintenance, err = parseAll("maintenance window", maintenance); err != nil {
		return Schedule{}, err
	}
	if s.Peak, err = parseAll("peak hours", peak); err != nil {
		return Schedule{}, err
	}
	return s, nil
}

// parseAll parses a policy's list of windows; kind names the list in errors.
func parseAll(kind string, ws []*rebalancerv1.TimeWindow) ([]Window, error) {
	out := make([]Window, len(ws))
	for i, w := range ws {
		var err error
		if out[i], err = Parse(w.GetStart(), w.GetEnd(), w.GetDays()); err != nil {
			return nil, fmt.Errorf("%s %d (%s-%s): %w", kind, i, w.GetStart(), w.GetEnd(), err)
		}
	}
	return out, nil
}

// Status is a Schedule read at one instant. Its times are in the
// schedule's zone; the boolean beside a time says whether it is set.
type Status struct {
	// Now is the instant read.
	Now time.Time
	// MayRun: Now is inside a maintenance window, or there are none, and
	// outside peak hours.
	MayRun bool

	// InWindow: Now is inside Window, the first maintenance window that
	// contains it, whose occurrence closes at WindowEnds. Another window
	// may continue it: RunUntil says when running must stop.
	InWindow   bool
	Window     Window
	WindowEnds time.Time
	// NextWindow is when a maintenance window next opens after Now.
	HasNextWindow bool
	NextWindow    time.Time

	// InPeak: Now is inside Peak, the first peak hours that contain it,
	// whose occurrence ends at PeakEnds.
	InPeak   bool
	Peak     Window
	PeakEnds time.Time

	// NextRun is the earliest instant at or after Now at which a
	// rebalance may run: Now itself when MayRun. It is not set when no
	// such instant comes within Horizon (peak hours cover every window).
	HasNextRun bool
	NextRun    time.Time
	// RunUntil, when MayRun, is the first instant after Now at which a
	// rebalance may no longer run: a window closes, or peak hours begin.
	// It is not set when that does not happen within Horizon (no windows
	// and no peak hours, or windows that cover the whole week).
	HasRunUntil bool
	RunUntil    time.Time
}

// At reads the schedule at t.
func (s Schedule) At(t time.Time) Status {
	now := t.In(s.zone())
	st := Status{Now: now, MayRun: s.mayRun(now)}
	if st.Window, st.InWindow = Find(s.Maintenance, now); st.InWindow {
		st.WindowEnds = st.Window.End(now)
	}
	st.NextWindow, st.HasNextWindow = NextStart(s.Maintenance, now)
	if st.Peak, st.InPeak = Find(s.Peak, now); st.InPeak {
		st.PeakEnds = st.Peak.End(now)
	}
	st.NextRun, st.HasNextRun = s.first(now, true)
	if st.MayRun {
		st.RunUntil, st.HasRunUntil = s.first(now, false)
	}
	return st
}

func (s Schedule) zone() *time.Location {
	if s.Zone == nil {
		return time.UTC
	}
	return s.Zone
}

// mayRun reports whether a rebalance may run at t: inside a maintenance
// window, or there are none, and outside peak hours.
func (s Schedule) mayRun(t time.Time) bool {
	t = t.In(s.zone())
	if len(s.Maintenance) > 0 {
		if _, in := Find(s.Maintenance, t); !in {
			return false
		}
	}
	_, peak := Find(s.Peak, t)
	return !peak
}
