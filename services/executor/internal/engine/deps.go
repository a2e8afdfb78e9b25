// Package engine runs plans. Each old node goes through an explicit state
// machine (provisioning → joining → ready → cordoned → draining → drained
// → terminating → done, or failed), driven by an ordered list of
// idempotent steps with one signature. State is persisted before and after
// every side effect, so a restarted executor resumes at the step it was in.
package engine

import (
	"log/slog"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Clock is the time the engine reads and waits on; tests step a fake one.
type Clock interface {
	clock.WithTickerAndDelayedExecution
}

// Deps are the engine's collaborators, each the narrowest that serves.
type Deps struct {
	Kube    kubernetes.Interface
	Groups  autoscaler.Interface
	Cloud   cloud.Provider
	Store   store.Store
	Events  progress.Publisher
	Clock   Clock
	Metrics *Metrics
	Logger  *slog.Logger
	// Replica names this executor in ExecutionState.owner and in leases.
	Replica string
	// Installation names the executor installation (its replicas and
	// their store) on the nodes it marks, so its start-up reconcile leaves
	// another installation's marks alone (DefaultInstallation).
	Installation string
	// LeaseTTL is how long a lease lasts unrenewed (DefaultLeaseTTL).
	LeaseTTL time.Duration
	// Roles says which executions this replica takes (both by default).
	Roles Roles
	// Pace tunes the waits between retries.
	Pace Pace
}

// Pace is how often the engine looks again while it waits.
type Pace struct {
	// Poll is the interval of checks that have no watch (drain progress,
	// workload availability, the capacity floor).
	Poll time.Duration
	// EvictionRetry is the first wait after a refused eviction; it doubles
	// up to EvictionRetryCap.
	EvictionRetry, EvictionRetryCap time.Duration
	// CloudRetry is the first wait of the retries around cloud calls (the
	// client retries each HTTP call as well).
	CloudRetry time.Duration
}

// DefaultPace suits production and the sandbox alike.
func DefaultPace() Pace {
	return Pace{Poll: 250 * time.Millisecond, EvictionRetry: 250 * time.Millisecond,
		EvictionRetryCap: 5 * time.Second, CloudRetry: time.Second}
}

func (d *Deps) withDefaults() {
	if d.Clock == nil {
		d.Clock = clock.RealClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Installation == "" {
		d.Installation = DefaultInstallation
	}
	if d.LeaseTTL == 0 {
		d.LeaseTTL = DefaultLeaseTTL
	}
	if d.Roles == (Roles{}) {
		d.Roles = Roles{Execute: true, Rollback: true}
	}
	if d.Pace == (Pace{}) {
		d.Pace = DefaultPace()
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(nil)
	}
}
