package checks

import (
	"fmt"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/window"
)

const timing = rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_TIMING

// Names of the timing checks.
const (
	NameCooldown          = "timing.cooldown"
	NameMaintenanceWindow = "timing.maintenance_window"
	NamePeakHours         = "timing.peak_hours"
)

// localTime is how messages show a time: wall clock and zone.
const localTime = "Monday 2006-01-02 15:04 MST"

// Cooldown fails until the policy's cooldown has passed since the group's
// last rebalance ended.
func Cooldown(in *Input) Result {
	cooldown := in.Policy.GetCooldownPeriod().AsDuration()
	last := in.Group.Status.LastRebalanceTime
	if last == nil {
		return passed(timing, NameCooldown, "the group has not been rebalanced before", nil)
	}
	ends := last.Add(cooldown)
	details := map[string]string{"lastRebalanceTime": last.UTC().Format(time.RFC3339), "cooldownEnds": ends.UTC().Format(time.RFC3339)}
	if in.Now.Before(ends) {
		return failed(timing, NameCooldown, fmt.Sprintf("the last rebalance ended at %s; the cooldown of %s runs until %s",
			last.UTC().Format(time.RFC3339), cooldown, ends.UTC().Format(time.RFC3339)), details, true)
	}
	return passed(timing, NameCooldown, fmt.Sprintf("the cooldown of %s ended at %s", cooldown, ends.UTC().Format(time.RFC3339)), details)
}

// parsed reads the policy's zone and windows; a failure is permanent.
func parsed(in *Input, ws []*rebalancerv1.TimeWindow) (*time.Location, []window.Window, error) {
	loc, err := time.LoadLocation(in.Policy.GetTimeZone())
	if err != nil {
		return nil, nil, fmt.Errorf("time zone %q: %w", in.Policy.GetTimeZone(), err)
	}
	out := make([]window.Window, len(ws))
	for i, w := range ws {
		if out[i], err = window.Parse(w.GetStart(), w.GetEnd(), w.GetDays()); err != nil {
			return nil, nil, fmt.Errorf("window %d (%s-%s): %w", i, w.GetStart(), w.GetEnd(), err)
		}
	}
	return loc, out, nil
}

// MaintenanceWindow fails outside every maintenance window, saying when
// the next one opens; no windows means any time.
func MaintenanceWindow(in *Input) Result {
	if len(in.Policy.GetMaintenanceWindows()) == 0 {
		return passed(timing, NameMaintenanceWindow, "no maintenance windows: any time will do", nil)
	}
	loc, windows, err := parsed(in, in.Policy.GetMaintenanceWindows())
	if err != nil {
		return failed(timing, NameMaintenanceWindow, "the maintenance windows cannot be read: "+err.Error(), nil, false)
	}
	now := in.Now.In(loc)
	if w, ok := window.Find(windows, now); ok {
		return passed(timing, NameMaintenanceWindow, fmt.Sprintf("inside maintenance window %s (%s) until %s",
			w, loc, w.End(now).Format(localTime)), nil)
	}
	msg := fmt.Sprintf("outside every maintenance window at %s", now.Format(localTime))
	details := map[string]string{"timeZone": loc.String()}
	if next, ok := window.NextStart(windows, now); ok {
		msg += "; the next opens " + next.Format(localTime)
		details["nextWindow"] = next.UTC().Format(time.RFC3339)
	}
	return failed(timing, NameMaintenanceWindow, msg, details, true)
}

// PeakHours fails inside peak hours, saying when they end.
func PeakHours(in *Input) Result {
	if len(in.Policy.GetPeakHours()) == 0 {
		return passed(timing, NamePeakHours, "no peak hours", nil)
	}
	loc, windows, err := parsed(in, in.Policy.GetPeakHours())
	if err != nil {
		return failed(timing, NamePeakHours, "the peak hours cannot be read: "+err.Error(), nil, false)
	}
	now := in.Now.In(loc)
	if w, ok := window.Find(windows, now); ok {
		end := w.End(now)
		return failed(timing, NamePeakHours, fmt.Sprintf("inside peak hours %s (%s) at %s, until %s",
			w, loc, now.Format(localTime), end.Format(localTime)),
			map[string]string{"timeZone": loc.String(), "peakEnds": end.UTC().Format(time.RFC3339)}, true)
	}
	return passed(timing, NamePeakHours, fmt.Sprintf("outside peak hours at %s", now.Format(localTime)), nil)
}
