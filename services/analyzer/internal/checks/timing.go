package checks

import (
	"fmt"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/window"
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

// schedule reads the policy's time zone and one of its lists of windows,
// the maintenance windows or the peak hours: each timing check judges its
// own list, so one that cannot be read fails its own check only.
func (in *Input) schedule(maintenance, peak []*rebalancerv1.TimeWindow) (window.Schedule, error) {
	return window.ScheduleOf(&rebalancerv1.RebalancePolicy{
		TimeZone: in.Policy.GetTimeZone(), MaintenanceWindows: maintenance, PeakHours: peak})
}

// MaintenanceWindow fails outside every maintenance window, saying when
// the next one opens; no windows means any time.
func MaintenanceWindow(in *Input) Result {
	if len(in.Policy.GetMaintenanceWindows()) == 0 {
		return passed(timing, NameMaintenanceWindow, "no maintenance windows: any time will do", nil)
	}
	s, err := in.schedule(in.Policy.GetMaintenanceWindows(), nil)
	if err != nil {
		return failed(timing, NameMaintenanceWindow, "the maintenance windows cannot be read: "+err.Error(), nil, false)
	}
	st := s.At(in.Now)
	if st.InWindow {
		return passed(timing, NameMaintenanceWindow, fmt.Sprintf("inside maintenance window %s (%s) until %s",
			st.Window, s.Zone, st.WindowEnds.Format(localTime)), nil)
	}
	msg := fmt.Sprintf("outside every maintenance window at %s", st.Now.Format(localTime))
	details := map[string]string{"timeZone": s.Zone.String()}
	if st.HasNextWindow {
		msg += "; the next opens " + st.NextWindow.Format(localTime)
		details["nextWindow"] = st.NextWindow.UTC().Format(time.RFC3339)
	}
	return failed(timing, NameMaintenanceWindow, msg, details, true)
}

// PeakHours fails inside peak hours, saying when they end.
func PeakHours(in *Input) Result {
	if len(in.Policy.GetPeakHours()) == 0 {
		return passed(timing, NamePeakHours, "no peak hours", nil)
	}
	s, err := in.schedule(nil, in.Policy.GetPeakHours())
	if err != nil {
		return failed(timing, NamePeakHours, "the peak hours cannot be read: "+err.Error(), nil, false)
	}
	st := s.At(in.Now)
	if st.InPeak {
		return failed(timing, NamePeakHours, fmt.Sprintf("inside peak hours %s (%s) at %s, until %s",
			st.Peak, s.Zone, st.Now.Format(localTime), st.PeakEnds.Format(localTime)),
			map[string]string{"timeZone": s.Zone.String(), "peakEnds": st.PeakEnds.UTC().Format(time.RFC3339)}, true)
	}
	return passed(timing, NamePeakHours, fmt.Sprintf("outside peak hours at %s", st.Now.Format(localTime)), nil)
}
