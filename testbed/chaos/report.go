package chaos

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Result is one run as played and judged.
type Result struct {
	Run      int
	Scenario Scenario
	// Injected are the faults that struck (an event-bound one strikes
	// only if the execution reached its event).
	Injected []string
	// Outcome is the execution's final status ("succeeded",
	// "rolled_back", ...), "lost" or "" when it never ran.
	Outcome    string
	Violations []Violation
	// Notes are what the harness saw that is no violation by itself.
	Notes    []string
	Duration time.Duration
	// Dir holds the run's logs.
	Dir string
}

// Failed reports whether the run broke anything, or could not be played.
func (r Result) Failed() bool { return len(r.Violations) > 0 }

// Line is the run's report line; a failure adds its violations, notes,
// logs and the command that replays it.
func (r Result) Line(runs int) string {
	s := r.Scenario
	verdict := "ok"
	if r.Failed() {
		verdict = "FAIL"
	}
	line := fmt.Sprintf("run %d/%d seed %d: %-10s size %d %-7s faults [%s] injected [%s] -> %s %s in %s",
		r.Run, runs, s.Seed, s.Strategy, s.Size, s.Mode, strings.Join(s.Faults.Drawn(), " "),
		strings.Join(r.Injected, " "), r.Outcome, verdict, r.Duration.Round(100*time.Millisecond))
	if !r.Failed() {
		return line
	}
	var b strings.Builder
	b.WriteString(line)
	for _, v := range r.Violations {
		fmt.Fprintf(&b, "\n    violation %s", v)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n    note: %s", n)
	}
	fmt.Fprintf(&b, "\n    logs: %s\n    replay: make chaos RUNS=1 SEED=%d", r.Dir, s.Seed)
	return b.String()
}

// Report adds the runs up.
type Report struct {
	Started  time.Time
	Wall     time.Duration
	Runs     int
	Failed   int
	Faults   map[string]int // injected, by kind
	Outcomes map[string]int
	// Violations counts violations by kind.
	Violations map[string]int
	// FailedSeeds are the seeds of the failed runs, in order.
	FailedSeeds []uint64
	// Results are the runs, in order.
	Results []Result
}

func (rep *Report) add(r Result) {
	if rep.Faults == nil {
		rep.Faults, rep.Outcomes, rep.Violations = map[string]int{}, map[string]int{}, map[string]int{}
	}
	rep.Runs++
	rep.Results = append(rep.Results, r)
	for _, f := range r.Injected {
		rep.Faults[f]++
	}
	rep.Outcomes[r.Outcome]++
	for _, v := range r.Violations {
		rep.Violations[v.Kind]++
	}
	if r.Failed() {
		rep.Failed++
		rep.FailedSeeds = append(rep.FailedSeeds, r.Scenario.Seed)
	}
}

// Totals is the campaign's summary.
func (rep Report) Totals() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nchaos: %d runs, %d failed, wall time %s\n", rep.Runs, rep.Failed, rep.Wall.Round(time.Second))
	fmt.Fprintf(&b, "  faults injected: %s\n", counts(rep.Faults))
	fmt.Fprintf(&b, "  outcomes:        %s\n", counts(rep.Outcomes))
	fmt.Fprintf(&b, "  violations:      %s\n", counts(rep.Violations))
	if len(rep.FailedSeeds) > 0 {
		fmt.Fprintf(&b, "  failed seeds:    %v\n", rep.FailedSeeds)
	}
	return b.String()
}

// counts prints "a 3, b 1" in name order, or "none".
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
