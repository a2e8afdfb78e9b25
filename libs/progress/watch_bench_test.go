package progress_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
)

// The load issue 18 holds the events path to: p99 at most 10 ms, no gaps.
const (
	benchEventsPerSecond = 1000
	benchWatchers        = 100
	// benchDrainTimeout bounds the wait for watchers after the last
	// publish; what they have not received by then counts as gaps.
	benchDrainTimeout = 30 * time.Second
)

// BenchmarkWatchLatency publishes b.N events of one execution, paced at
// benchEventsPerSecond, the way the Executor does (progress.
// JetStreamPublisher: a synchronous publish the server acknowledges), to
// benchWatchers watchers, against a real nats-server with JetStream on file
// storage, over the one NATS connection the Executor also publishes on.
//
// consumer-per-watcher is what WatchExecution did before the hub, for each
// CLI or dashboard watching: progress.Watch, one ordered consumer per watcher.
// shared-consumer is one progress.Watch for the execution fanned out in
// process to the watchers, each on its own goroutine as a gRPC stream would
// be: what a hub in the Executor would cost. hub is that hub, progress.Hub,
// as the Executor runs it: every watcher calls Hub.Watch. The gRPC hop from
// WatchExecution to its client is in none of them.
//
// It reports the publish-to-receive latency over every delivery (p50-ms,
// p99-ms, max-ms), the events watchers missed (gaps) and the publish rate
// reached (events/s), which falls short of the target when a publish takes
// longer than its share of a second, and the CPU the whole process used
// meanwhile (cpu-cores: 1 is one core busy), which on a shared machine says
// more than the latencies do. ns/op is the pace: 1 ms at the target rate.
// -benchtime 5000x is 5 s at the target.
func BenchmarkWatchLatency(b *testing.B) {
	b.Run("consumer-per-watcher", func(b *testing.B) { benchWatch(b, (*watchRun).watchEach) })
	b.Run("shared-consumer", func(b *testing.B) { benchWatch(b, (*watchRun).watchShared) })
	b.Run("hub", func(b *testing.B) { benchWatch(b, (*watchRun).watchHub) })
}

// startWatchers starts benchWatchers watchers of benchExecution.
type startWatchers func(r *watchRun, ctx context.Context, b *testing.B, js jetstream.JetStream)

func benchWatch(b *testing.B, start startWatchers) {
	js := jetStream(b)
	run := newWatchRun(b.N)
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	start(run, ctx, b, js)
	pub := progress.JetStreamPublisher{JS: js}
	run.publishWarmUp(ctx, b, pub)

	b.ResetTimer()
	cpuBefore := processCPU()
	elapsed := run.publishPaced(ctx, b, pub)
	cpu := processCPU() - cpuBefore
	b.StopTimer()

	run.publishFinal(ctx, b, pub)
	run.waitWatchers(benchDrainTimeout)
	cancel()
	run.report(b, elapsed)
	b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cpu-cores")
}

// watchRun is one benchmark run: warm-up event 1, measured events 2..n+1,
// final event n+2, and when each was sent.
type watchRun struct {
	n        int
	sentAt   []atomic.Int64 // by sequence: nanoseconds since start
	start    time.Time
	watchers []*benchWatcher
	ready    sync.WaitGroup // every watcher has the warm-up event
	done     sync.WaitGroup // every watcher has returned
}

func newWatchRun(n int) *watchRun {
	r := &watchRun{n: n, sentAt: make([]atomic.Int64, n+3), start: time.Now()}
	for range benchWatchers {
		r.watchers = append(r.watchers, &benchWatcher{run: r, next: 1, latencies: make([]time.Duration, 0, n)})
	}
	r.ready.Add(benchWatchers)
	r.done.Add(benchWatchers)
	return r
}

func (r *watchRun) finalSequence() uint64 { return uint64(r.n) + 2 }

// watchEach runs progress.Watch for every watcher.
func (r *watchRun) watchEach(ctx context.Context, b *testing.B, js jetstream.JetStream) {
	for _, w := range r.watchers {
		go func() {
			defer r.done.Done()
			if err := progress.Watch(ctx, js, benchExecution, 0, w.handle); err != nil && ctx.Err() == nil {
				b.Error(err)
			}
		}()
	}
}

const benchExecution = "exec-bench"

func benchEvent(seq uint64, kind rebalancerv1.EventKind) *rebalancerv1.ExecutionEvent {
	return &rebalancerv1.ExecutionEvent{
		ExecutionId: benchExecution, PlanId: "plan-bench", NodeGroup: "web", Namespace: "shop",
		Sequence: seq, Kind: kind, NodeName: "web-001", BatchNumber: 1,
		Message: "Evicted pod shop/api-7d9f from web-001", ProgressPercent: 40,
	}
}

func (r *watchRun) publish(ctx context.Context, b *testing.B, pub progress.Publisher, ev *rebalancerv1.ExecutionEvent) {
	r.sentAt[ev.GetSequence()].Store(int64(time.Since(r.start)))
	if err := pub.Publish(ctx, ev); err != nil {
		b.Fatal(err)
	}
}

// publishWarmUp publishes event 1 and waits until every watcher has it, so
// the measured events find every consumer created and delivering.
func (r *watchRun) publishWarmUp(ctx context.Context, b *testing.B, pub progress.Publisher) {
	r.publish(ctx, b, pub, benchEvent(1, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED))
	r.ready.Wait()
}

// publishPaced publishes the measured events on a fixed schedule; a publish
// behind schedule goes at once, so a slow server lowers the rate reached.
func (r *watchRun) publishPaced(ctx context.Context, b *testing.B, pub progress.Publisher) time.Duration {
	interval := time.Second / benchEventsPerSecond
	begin := time.Now()
	for i := range r.n {
		time.Sleep(time.Until(begin.Add(time.Duration(i) * interval)))
		r.publish(ctx, b, pub, benchEvent(uint64(i)+2, rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED))
	}
	return time.Since(begin)
}

func (r *watchRun) publishFinal(ctx context.Context, b *testing.B, pub progress.Publisher) {
	r.publish(ctx, b, pub, benchEvent(r.finalSequence(), rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED))
}

// waitWatchers waits for every watcher to see the final event, or timeout.
func (r *watchRun) waitWatchers(timeout time.Duration) {
	all := make(chan struct{})
	go func() { r.done.Wait(); close(all) }()
	select {
	case <-all:
	case <-time.After(timeout):
	}
}
