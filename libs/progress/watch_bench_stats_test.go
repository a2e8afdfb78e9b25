package progress_test

import (
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// benchWatcher is one watcher's view of a run: the latency of each measured
// event it received and the sequences it missed.
type benchWatcher struct {
	run *watchRun

	mu        sync.Mutex // handle writes, report reads after a timeout
	next      uint64     // the sequence expected next
	gaps      uint64
	latencies []time.Duration
}

func (w *benchWatcher) handle(ev *rebalancerv1.ExecutionEvent) error {
	received := time.Since(w.run.start)
	w.mu.Lock()
	defer w.mu.Unlock()
	seq := ev.GetSequence()
	if seq > w.next {
		w.gaps += seq - w.next
	}
	w.next = max(w.next, seq+1)
	switch {
	case seq == 1:
		w.run.ready.Done()
	case seq < w.run.finalSequence():
		sent := time.Duration(w.run.sentAt[seq].Load())
		w.latencies = append(w.latencies, received-sent)
	}
	return nil
}

// missed is the watcher's gaps, with the events it never got to by the end.
func (w *benchWatcher) missed() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gaps + (w.run.finalSequence() + 1 - w.next)
}

func (w *benchWatcher) received() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.latencies)
}

func (r *watchRun) report(b *testing.B, elapsed time.Duration) {
	var all []time.Duration
	var gaps uint64
	for _, w := range r.watchers {
		all = append(all, w.received()...)
		gaps += w.missed()
	}
	slices.Sort(all)
	b.ReportMetric(ms(quantile(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(quantile(all, 0.99)), "p99-ms")
	b.ReportMetric(ms(quantile(all, 1)), "max-ms")
	b.ReportMetric(float64(gaps), "gaps")
	b.ReportMetric(float64(r.n)/elapsed.Seconds(), "events/s")
}

// quantile of sorted durations, by the nearest rank; 0 for none.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
