package nodestep

import (
	"context"
	"log/slog"
	"time"

	"k8s.io/utils/clock"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// Env is the world the steps act on: the same for every execution of an
// executor.
type Env struct {
	Kube   Kube
	Cloud  cloud.Provider
	Clock  Clock
	Logger *slog.Logger
	Pace   Pace
	// HealthQuery evaluates a group's health query during soaks; nil when
	// the executor has no --prometheus-url (a soak of a group that sets a
	// query then fails closed).
	HealthQuery HealthQuery
	// Installation names the executor installation (its replicas and their
	// store) in the note on the old nodes it taints, so that another
	// installation's reconciler leaves them alone.
	Installation string
}

// Clock is the time the steps read and wait on; tests step a fake one.
type Clock interface {
	clock.WithTickerAndDelayedExecution
}

// Pace is how often the steps look again while they wait.
type Pace struct {
	// Poll is the interval of the checks (drain progress, workload
	// availability, the capacity floor) over a live Kube; over the
	// informer caches their events wake them instead (see Fallback).
	Poll time.Duration
	// EvictionRetry is the first wait after a refused eviction; it doubles
	// up to EvictionRetryCap.
	EvictionRetry, EvictionRetryCap time.Duration
	// CloudRetry is the first wait of the retries around cloud calls (the
	// client retries each HTTP call as well).
	CloudRetry time.Duration
	// Soak is the interval of a soak's health checks (DefaultSoakPoll
	// when zero): each lists the moved workloads' pods and may query
	// Prometheus, so it is slower than Poll.
	Soak time.Duration
	// Fallback is how long a wait over the informer caches (KubeCache)
	// sleeps when no event wakes it (DefaultFallback when zero): events
	// wake it at once, so this only guards an event missed. Over a live
	// Kube the waits poll every Poll instead.
	Fallback time.Duration
}

// DefaultFallback is how long a wait on the caches' events sleeps at most.
const DefaultFallback = 5 * time.Second

func (p Pace) fallback() time.Duration {
	if p.Fallback <= 0 {
		return DefaultFallback
	}
	return p.Fallback
}

// DefaultSoakPoll is how often a soak looks at the moved workloads.
const DefaultSoakPoll = 2 * time.Second

func (p Pace) soakPoll() time.Duration {
	if p.Soak <= 0 {
		return DefaultSoakPoll
	}
	return p.Soak
}

// DefaultPace suits production and the sandbox alike.
func DefaultPace() Pace {
	return Pace{Poll: 250 * time.Millisecond, EvictionRetry: 250 * time.Millisecond,
		EvictionRetryCap: 5 * time.Second, CloudRetry: time.Second, Fallback: DefaultFallback}
}

// sleep waits d on the clock, or until ctx ends.
func (e *Env) sleep(ctx context.Context, d time.Duration) error {
	t := e.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	}
}
