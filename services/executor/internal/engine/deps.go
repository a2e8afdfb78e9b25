// Package engine runs plans: it schedules their batches, holds each
// execution's lease and record, publishes its events, answers operators
// (pause, resume, cancel, approve, roll back), holds every plan to the
// live group before it acts (guard.go: the group's lock, its schedule, a
// pause while its window is closed), rolls back failures and reports
// honest results. Each old node goes through an explicit state
// machine (provisioning → joining → ready → cordoned → draining → drained
// → terminating → done, or failed), driven by the ordered list of
// idempotent steps of package nodestep, which reads and writes the node's
// state through the engine (nodestate.go). State is persisted before and
// after every side effect, so a restarted executor resumes at the step it
// was in.
package engine

import (
	"log/slog"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// Clock is the time the engine and its node steps read and wait on; tests
// step a fake one.
type Clock = nodestep.Clock

// Deps are the engine's collaborators, each the narrowest that serves.
type Deps struct {
	// Kube is the cluster; the node steps see only the few calls of
	// nodestep.Kube (StepKube).
	Kube kubernetes.Interface
	// StepKube is the node steps' view of the cluster: the service gives
	// a synced nodestep.KubeCache, one per process, whose events wake the
	// steps' waits; nil reads Kube live (nodestep.NewKube), as tests do.
	StepKube nodestep.Kube
	Groups   autoscaler.Interface
	Cloud    cloud.Provider
	// HealthQuery evaluates health queries during soaks; nil: none can be.
	HealthQuery nodestep.HealthQuery
	Store       store.Store
	Events      progress.Publisher
	Clock       Clock
	Metrics     *Metrics
	Logger      *slog.Logger
	// Replica names this executor in ExecutionState.owner and in leases.
	Replica string
	// Installation names the executor installation (its replicas and
	// their store) in the note on the old nodes it taints and the tag on
	// the VMs it orders, so its reconciler leaves another installation's
	// nodes and VMs alone (DefaultInstallation).
	Installation string
	// LeaseTTL is how long a lease lasts unrenewed (DefaultLeaseTTL).
	LeaseTTL time.Duration
	// Roles says which executions this replica takes (both by default).
	Roles Roles
	// Pace tunes the waits between retries.
	Pace Pace
	// MaxPlanAge is how old a plan may be when it starts (accepted without
	// approval, approved, or started after either), counted from its
	// created_at (DefaultMaxPlanAge).
	MaxPlanAge time.Duration
	// Reconcile tunes the reconciler of leftovers (reconciler.go).
	Reconcile ReconcileSettings
	// Leases hands out the reconciler's lease, so one replica of the
	// installation reconciles at a time; nil: this replica always does
	// (one replica, or tests).
	Leases store.Leases
	// Story mirrors progress events to Kubernetes Events and NodeGroup
	// conditions (kubeevents.go); nil tells nothing.
	Story *KubeStory

	// checker holds plans to the cluster: acceptance and the live guards
	// (set by New).
	checker accept.Checker
}

// DefaultMaxPlanAge is how old a plan may be when it starts, unless the
// Executor is told otherwise (--max-plan-age).
const DefaultMaxPlanAge = accept.DefaultMaxPlanAge

// Pace is how often the node steps look again while they wait (drain
// progress, workload availability, the capacity floor, cloud retries).
type Pace = nodestep.Pace

// DefaultPace suits production and the sandbox alike.
func DefaultPace() Pace { return nodestep.DefaultPace() }

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
	d.Reconcile = d.Reconcile.withDefaults()
	if d.MaxPlanAge == 0 {
		d.MaxPlanAge = DefaultMaxPlanAge
	}
}

// stepEnv is the world the node steps act on, from the engine's deps.
func (d *Deps) stepEnv() nodestep.Env {
	kube := d.StepKube
	if kube == nil {
		kube = nodestep.NewKube(d.Kube)
	}
	return nodestep.Env{Kube: kube, Cloud: d.Cloud, Clock: d.Clock, Logger: d.Logger,
		Pace: d.Pace, Installation: d.Installation, HealthQuery: d.HealthQuery}
}
