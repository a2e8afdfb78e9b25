package bench

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// nodeSpan is what one node's replacement cannot do without, from its
// events: the replacement's boot and join, the old node's drain, its
// termination.
type nodeSpan struct {
	node              string
	lane              string // as the events name it; "" under lock-step batches
	batch             int32
	start             time.Time
	bootJoin, drain   time.Duration
	terminate, within time.Duration
}

func (s nodeSpan) unavoidable() time.Duration { return s.bootJoin + s.drain + s.terminate }

// spans reads each node's span from the events.
func spans(events []*rebalancerv1.ExecutionEvent) []nodeSpan {
	at := map[string]map[rebalancerv1.EventKind]time.Time{}
	batch, lane := map[string]int32{}, map[string]string{}
	for _, ev := range events {
		if ev.GetNodeName() == "" {
			continue
		}
		if at[ev.GetNodeName()] == nil {
			at[ev.GetNodeName()] = map[rebalancerv1.EventKind]time.Time{}
		}
		if _, seen := at[ev.GetNodeName()][ev.GetKind()]; !seen {
			at[ev.GetNodeName()][ev.GetKind()] = ev.GetTime().AsTime()
		}
		batch[ev.GetNodeName()] = ev.GetBatchNumber()
		if l := ev.GetDetails()["lane"]; l != "" {
			lane[ev.GetNodeName()] = l
		}
	}
	var out []nodeSpan
	for node, t := range at {
		s := nodeSpan{node: node, lane: lane[node], batch: batch[node], start: t[rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING],
			bootJoin:  between(t, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING, rebalancerv1.EventKind_EVENT_KIND_NODE_READY),
			drain:     between(t, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED, rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED),
			terminate: between(t, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED),
			within:    between(t, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED)}
		out = append(out, s)
	}
	return out
}

func between(t map[rebalancerv1.EventKind]time.Time, from, to rebalancerv1.EventKind) time.Duration {
	a, okA := t[from]
	b, okB := t[to]
	if !okA || !okB || b.Before(a) {
		return 0
	}
	return b.Sub(a)
}

// bound is the critical path: nodes grouped into lanes (the lane its
// events name; else, under lock-step batches, the node's place in its
// batch by start time), each lane the sum of its nodes' unavoidable
// time, the bound the longest lane.
func bound(ss []nodeSpan, concurrency int) time.Duration {
	lanes := map[string]time.Duration{}
	if !slices.ContainsFunc(ss, func(s nodeSpan) bool { return s.lane != "" }) {
		assignByPlace(ss, concurrency)
	}
	for _, s := range ss {
		lanes[s.lane] += s.unavoidable()
	}
	var longest time.Duration
	for _, d := range lanes {
		longest = max(longest, d)
	}
	return longest
}

// assignByPlace numbers each batch's nodes by start time: the i-th node
// of every batch is lane i.
func assignByPlace(ss []nodeSpan, concurrency int) {
	byBatch := map[int32][]int{}
	for i, s := range ss {
		byBatch[s.batch] = append(byBatch[s.batch], i)
	}
	for _, idx := range byBatch {
		slices.SortFunc(idx, func(a, b int) int { return ss[a].start.Compare(ss[b].start) })
		for place, i := range idx {
			ss[i].lane = "lane-" + strconv.Itoa(place%max(concurrency, 1))
		}
	}
}

// Figures are what a measurement reports.
type Figures struct {
	Nodes, Pods, Concurrency int
	Boot                     time.Duration
	Wall, Bound              time.Duration
	// Estimate is the plan's estimated_duration: the Planner's upper
	// bound of Wall, from the policy's timeouts.
	Estimate time.Duration
	// Expected is the plan's expected_duration: the Planner's forecast of
	// Wall from Timings, the warm-up's step times (medians per node) that
	// the measured plan's analysis carried; WarmUp is the warm-up's wall
	// time.
	Expected time.Duration
	Timings  *rebalancerv1.StepTimings
	WarmUp   time.Duration
	// Steps are the mean per-node times of the steps from the events, what
	// the estimate is to be compared with.
	Steps stepTimes
	// BaselinePerNode is one node at a time's wall time per node; Speedup
	// is BaselinePerNode × Nodes over Wall (the baseline measured on a
	// smaller group and scaled).
	BaselineNodes   int
	BaselinePerNode time.Duration
	Speedup         float64
	KubePerNode     float64 // the Executor's requests, evictions apart
	EvictionsPerPod float64
	CloudPerNode    float64 // VPSie API calls
	PeakMiB         float64
	TopKube         string
	TopCloud        string
	Status          string
}

// Ratio is the wall time over the bound.
func (f Figures) Ratio() float64 { return f.Wall.Seconds() / f.Bound.Seconds() }

// LaneModel is what the plan's structure gives at the run's own mean step
// times: each lane replaces its nodes one after the other, provisioning to
// terminated, and the lanes run side by side.
func (f Figures) LaneModel() time.Duration {
	perLane := (f.Nodes + f.Concurrency - 1) / max(f.Concurrency, 1)
	return time.Duration(perLane) * f.Steps.within
}

// EstimateRatio is the plan's estimate over the wall time: 1 is a perfect
// forecast, above 1 an overestimate.
func (f Figures) EstimateRatio() float64 { return f.Estimate.Seconds() / f.Wall.Seconds() }

// ExpectedRatio is the plan's expected duration over the wall time: the
// forecast is within 20 % between 0.8 and 1.2.
func (f Figures) ExpectedRatio() float64 { return f.Expected.Seconds() / f.Wall.Seconds() }

// Print writes the figures as a table; a failed write is the caller's
// terminal going away, nothing to report.
func (f Figures) Print(out io.Writer) {
	row := func(what, value string) { _, _ = fmt.Fprintf(out, "| %-44s | %s |\n", what, value) }
	_, _ = fmt.Fprintf(out, "\n| figure | value |\n|---|---|\n")
	row("group", fmt.Sprintf("%d nodes replaced (+%d the warm-up replaced first), %d pods, max concurrent %d, boot %s",
		f.Nodes, f.Concurrency, f.Pods, f.Concurrency, f.Boot))
	row("result", f.Status)
	row("wall time of the rebalance", f.Wall.Round(100*time.Millisecond).String())
	row("critical-path bound (longest lane)", f.Bound.Round(100*time.Millisecond).String())
	row("wall / bound", fmt.Sprintf("%.2f", f.Ratio()))
	row("the plan's estimate", f.Estimate.Round(100*time.Millisecond).String())
	row("estimate / wall", fmt.Sprintf("%.2f", f.EstimateRatio()))
	row("the plan's expected duration", fmt.Sprintf("%s, from the warm-up's %s",
		f.Expected.Round(100*time.Millisecond), timingsString(f.Timings, f.WarmUp)))
	row("expected / wall", fmt.Sprintf("%.2f", f.ExpectedRatio()))
	row("per node, mean", f.Steps.String())
	row("nodes per lane × mean per node", fmt.Sprintf("%s (%.2f of wall): the estimate the plan's lanes give at this run's step times",
		f.LaneModel().Round(100*time.Millisecond), f.LaneModel().Seconds()/f.Wall.Seconds()))
	if f.BaselineNodes > 0 {
		row("one node at a time", fmt.Sprintf("%s per node (measured on %d nodes, scaled to %d)",
			f.BaselinePerNode.Round(100*time.Millisecond), f.BaselineNodes, f.Nodes))
		row("speed-up over one at a time", fmt.Sprintf("%.1f×", f.Speedup))
	}
	row("Kubernetes requests per replaced node", fmt.Sprintf("%.1f (evictions apart; %.2f evictions per pod)", f.KubePerNode, f.EvictionsPerPod))
	row("VPSie requests per replaced node", fmt.Sprintf("%.1f", f.CloudPerNode))
	row("Executor peak memory (VmHWM)", fmt.Sprintf("%.0f MiB", f.PeakMiB))
	row("largest Kubernetes request kinds", f.TopKube)
	row("largest VPSie calls", f.TopCloud)
}

// figures computes a run's figures.
func figures(cfg Config, r run, pods int) Figures {
	n := float64(max(r.final.GetResult().GetNodesReplaced(), 1))
	ss := spans(r.events)
	f := Figures{Nodes: cfg.Nodes, Pods: pods, Concurrency: cfg.Concurrency, Boot: cfg.Boot, Wall: r.wall, Estimate: r.estimate,
		Expected: r.expected, Timings: r.timings,
		KubePerNode: float64(r.kubeReqs) / n, EvictionsPerPod: float64(r.evictions) / float64(max(pods, 1)),
		CloudPerNode: float64(r.cloudReqs) / n, PeakMiB: r.peakMiB, TopKube: topKinds(r.kubeKinds, 6), TopCloud: topKinds(r.cloudKinds, 6),
		Status: fmt.Sprintf("%s, %d/%d replaced", r.final.GetStatus(), r.final.GetResult().GetNodesReplaced(), cfg.Nodes)}
	if len(ss) > 0 {
		f.Bound = bound(ss, cfg.Concurrency)
		f.Steps = meanSteps(ss)
	}
	return f
}

// timingsString says what the expected duration was made from.
func timingsString(t *rebalancerv1.StepTimings, wall time.Duration) string {
	if t == nil {
		return "step times: none (no expected duration)"
	}
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }
	return fmt.Sprintf("run (%s wall) of %d nodes, medians per node: provision %s, drain %s, terminate %s",
		r(wall), t.GetSampleNodes(), r(t.GetProvision().AsDuration()), r(t.GetDrain().AsDuration()), r(t.GetTerminate().AsDuration()))
}

// stepTimes are the mean times of one node's steps.
type stepTimes struct {
	bootJoin, drain, terminate, within time.Duration
}

func (s stepTimes) String() string {
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }
	return fmt.Sprintf("boot+join %s, drain %s, terminate %s; provisioning to terminated %s",
		r(s.bootJoin), r(s.drain), r(s.terminate), r(s.within))
}

func meanSteps(ss []nodeSpan) stepTimes {
	var t stepTimes
	for _, s := range ss {
		t.bootJoin += s.bootJoin
		t.drain += s.drain
		t.terminate += s.terminate
		t.within += s.within
	}
	n := time.Duration(len(ss))
	return stepTimes{t.bootJoin / n, t.drain / n, t.terminate / n, t.within / n}
}
