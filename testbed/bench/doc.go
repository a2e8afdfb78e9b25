// Package bench measures a whole rebalance on the sandbox, as a Go
// benchmark: a group of real (kwok) nodes under realistic workloads, the
// simulator booting replacements, the Planner and the Executor as the
// binaries that ship. It reports the wall time of the rebalance against
// the critical-path bound computed from the run's own events, the plan's
// upper-bound estimate and its expected duration against it, the
// speed-up over one node at a time, the Kubernetes and VPSie requests per
// replaced node, and the Executor's peak memory. The expected duration
// comes from step times the group measured before: a warm-up replaces
// max-concurrent extra nodes of the same group first, and the Executor
// writes their step times into the group's status, which the measured
// plan's analysis carries.
//
//	make bench-rebalance                       # 100 nodes, 2,000 pods, max concurrent 10, boot 20 s
//	go test -run '^$' -bench . -benchtime 1x ./bench/   # the small size make test runs
//
// The size comes from the environment (BENCH_NODES, BENCH_PODS,
// BENCH_CONCURRENCY, BENCH_BOOT, BENCH_BASELINE_NODES); the defaults are
// the small size.
package bench
