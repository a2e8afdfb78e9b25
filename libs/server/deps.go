package server

import (
	"context"
	"math"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// dependencies tracks the health of what a service needs (the Kubernetes API,
// NATS, ...): the service is SERVING only while every one of them answers.
type dependencies struct {
	mu      sync.Mutex
	healthy map[string]bool
	changed func()
}

func (d *dependencies) set(name string, ok bool) {
	d.mu.Lock()
	was, known := d.healthy[name]
	d.healthy[name] = ok
	d.mu.Unlock()
	if !known || was != ok {
		d.changed()
	}
}

func (d *dependencies) allHealthy() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ok := range d.healthy {
		if !ok {
			return false
		}
	}
	return true
}

// Dependency is something a service cannot serve without.
type Dependency struct {
	// Name appears in logs, e.g. "kubernetes".
	Name string
	// Check returns nil when the dependency answers.
	Check func(ctx context.Context) error
	// Interval between checks once healthy; 10 s when zero.
	Interval time.Duration
}

// watch checks dep until ctx ends: with capped exponential backoff while it
// fails, every Interval while it answers.
func (s *Server) watch(ctx context.Context, dep Dependency) {
	interval := dep.Interval
	if interval <= 0 {
		interval = 10 * time.Second
	}
	backoff := retryBackoff(interval)
	for {
		checkCtx, cancel := context.WithTimeout(ctx, interval)
		err := dep.Check(checkCtx)
		cancel()
		s.deps.set(dep.Name, err == nil)
		next := interval
		if err != nil {
			s.logger.WarnContext(ctx, "dependency unreachable", "dependency", dep.Name, "error", err)
			next = backoff.Step()
		} else {
			backoff = retryBackoff(interval)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next):
		}
	}
}

// retryBackoff starts fast, so a dependency that comes up a moment after the
// service is noticed at once, and grows to the check interval.
func retryBackoff(limit time.Duration) wait.Backoff {
	return wait.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.2, Steps: math.MaxInt32, Cap: limit}
}
