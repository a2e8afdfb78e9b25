# bench-rebalance: the whole rebalance measured at 100 nodes and 2,000 pods
# (testbed/bench): wall time against the critical-path bound, speed-up over
# one node at a time (measured on 20 nodes and scaled), requests per node,
# the Executor's peak memory, and the Planner's expected duration against
# the wall time. The measured group has BENCH_CONCURRENCY extra nodes, which
# a warm-up replaces first so that the group's status carries the step
# times the expected duration is computed from. About 20 minutes on 2 cores.
BENCH_NODES          ?= 100
BENCH_PODS           ?= 2000
BENCH_CONCURRENCY    ?= 10
BENCH_BOOT           ?= 20s
BENCH_BASELINE_NODES ?= 20

.PHONY: bench-rebalance
bench-rebalance: $(SANDBOX_BINS_TARGET) ## Measure a rebalance of 100 nodes and 2,000 pods: make bench-rebalance BENCH_NODES=20
	cd testbed && BENCH_NODES=$(BENCH_NODES) BENCH_PODS=$(BENCH_PODS) BENCH_CONCURRENCY=$(BENCH_CONCURRENCY) \
		BENCH_BOOT=$(BENCH_BOOT) BENCH_BASELINE_NODES=$(BENCH_BASELINE_NODES) \
		go test -count=1 -run '^$$' -bench BenchmarkRebalance -benchtime 1x -timeout 90m ./bench/
