package bench

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config is one measurement.
type Config struct {
	// Nodes is the group's size; every node is replaced.
	Nodes int
	// Pods is about how many pods the workloads run on the group.
	Pods int
	// Concurrency is the plan's max concurrent (and batch size, and surge).
	Concurrency int
	// Boot is the simulator's time from create to a running VM.
	Boot time.Duration
	// BaselineNodes is the group measured one node at a time, to scale to
	// Nodes for the speed-up; 0 skips the baseline.
	BaselineNodes int
}

// small is what make test measures: quick, still every part of the path.
var small = Config{Nodes: 4, Pods: 40, Concurrency: 2, Boot: 2 * time.Second, BaselineNodes: 1}

// FromEnv is small, with each BENCH_* variable set overriding its field.
func FromEnv() (Config, error) {
	c := small
	for name, field := range map[string]*int{
		"BENCH_NODES": &c.Nodes, "BENCH_PODS": &c.Pods, "BENCH_CONCURRENCY": &c.Concurrency,
		"BENCH_BASELINE_NODES": &c.BaselineNodes,
	} {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return c, fmt.Errorf("%s=%q: want a whole number", name, v)
			}
			*field = n
		}
	}
	if v := os.Getenv("BENCH_BOOT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("BENCH_BOOT=%q: %w", v, err)
		}
		c.Boot = d
	}
	if c.Nodes < 1 || c.Concurrency < 1 || c.Concurrency > c.Nodes {
		return c, fmt.Errorf("want 1 <= BENCH_CONCURRENCY (%d) <= BENCH_NODES (%d)", c.Concurrency, c.Nodes)
	}
	return c, nil
}
