package accept

import (
	"fmt"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/window"
)

// localTime is how refusals show a time: wall clock and zone, as the
// Analyzer's timing checks do.
const localTime = "Monday 2006-01-02 15:04 MST"

// schedule refuses a batch start outside the group's maintenance windows
// or inside its peak hours, read from the live policy by the same code as
// the Analyzer's timing checks (libs/window), and says when a start is
// next allowed. A schedule that cannot be read allows nothing.
func schedule(live *rebalancerv1.RebalancePolicy, name string, now time.Time) error {
	s, err := window.ScheduleOf(live)
	if err != nil {
		return &Refusal{Rule: RuleSchedule, Reason: fmt.Sprintf("node group %s's schedule cannot be read: %v", name, err),
			Details: []Detail{{Kind: DetailSchedule, Subject: "schedule", Description: err.Error()}}}
	}
	st := s.At(now)
	if st.MayRun {
		return nil
	}
	r := &Refusal{Rule: RuleSchedule}
	var why string
	switch {
	case st.InPeak:
		why = fmt.Sprintf("inside peak hours %s (%s) until %s", st.Peak, s.Zone, st.PeakEnds.Format(localTime))
		r.Details = append(r.Details, Detail{Kind: DetailSchedule, Subject: "peak_hours", Description: why})
	default:
		why = "outside every maintenance window"
		r.Details = append(r.Details, Detail{Kind: DetailSchedule, Subject: "maintenance_windows", Description: why})
	}
	next := "no start is allowed within the next eight days"
	if st.HasNextRun {
		r.NextRun = st.NextRun
		next = "the next start is allowed at " + st.NextRun.Format(localTime)
		r.Details = append(r.Details, Detail{Kind: DetailSchedule, Subject: "next_run", Description: st.NextRun.UTC().Format(time.RFC3339)})
	}
	r.Reason = fmt.Sprintf("node group %s may not be rebalanced at %s: %s; %s", name, st.Now.Format(localTime), why, next)
	return r
}
