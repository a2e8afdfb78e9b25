package service

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/natsbus"
	"github.com/vpsie/node-rebalancer/libs/plansign"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
)

// Deps are what the Executor acts on.
type Deps struct {
	Kube   kubernetes.Interface
	Groups autoscaler.Interface
	// Cloud creates and deletes VMs (the VPSie HTTP client in production).
	Cloud cloud.Provider
	// HealthQuery evaluates the groups' health queries during soaks (the
	// Prometheus at --prometheus-url); nil without one.
	HealthQuery nodestep.HealthQuery
}

// Options are the Executor's settings. The binary fills them from its
// flags, so each error names the flag to fix.
type Options struct {
	// NATS says where the executions and their events live.
	NATS NATS
	// NATSReplicas is how many servers of the NATS cluster keep the event
	// stream and the executions bucket: 1 to 5, at most the cluster's size.
	NATSReplicas int
	// Replica names this process as an execution's owner and lease holder.
	Replica string
	// Installation names the executor installation on the nodes it marks;
	// installations sharing a cluster need distinct names, so one's
	// reconciler leaves the other's nodes and VMs alone. Empty is
	// engine.DefaultInstallation.
	Installation string
	// LeaseTTL is how long an execution's lease lasts unrenewed; another
	// replica takes the execution over after it.
	LeaseTTL time.Duration
	// Roles are the work this process takes: running plans, carrying out
	// rollbacks, or both (ParseRoles reads the flag).
	Roles engine.Roles
	// Pace tunes the engine's waits between retries; zero is
	// engine.DefaultPace, which suits production and the sandbox.
	Pace engine.Pace
	// MaxPlanAge is how old a plan may be, from its analysis, when it
	// starts (accepted without approval, or approved); zero is
	// engine.DefaultMaxPlanAge.
	MaxPlanAge time.Duration
	// Reconcile tunes the reconciler of leftovers (zero values take the
	// engine's defaults).
	Reconcile engine.ReconcileSettings
	// PlanKeys are the Planner public keys a plan must be signed with;
	// nil or empty accepts unsigned plans, with a warning at start-up.
	PlanKeys *plansign.Verifier
}

// NATS is an external NATS server (URL) or, without one, the settings of
// an embedded nats-server the Executor starts and stops itself.
type NATS struct {
	// URL of the NATS server; empty starts an embedded one.
	URL string
	// Listen is the embedded server's host:port; port -1 picks a free one.
	Listen string
	// DataDir is the embedded server's JetStream folder, kept across
	// restarts so an execution outlives the process that ran it
	// (DefaultDataDir on a single machine, a volume in a pod).
	DataDir string
	// Ephemeral keeps JetStream in a temporary folder instead, removed
	// when the Executor stops: executions are lost on a restart. Only on
	// an explicit flag, with a warning.
	Ephemeral bool
	// Security is the TLS and credentials of the connection to URL; the
	// embedded server takes none.
	Security natsbus.Security
}

// Check reports the first setting that cannot work.
func (o Options) Check() error {
	switch {
	case o.Roles == (engine.Roles{}):
		return errors.New("--roles: name at least one role (executor, rollback)")
	case o.NATSReplicas < 1 || o.NATSReplicas > 5:
		return fmt.Errorf("--nats-replicas %d: from 1 to 5 (JetStream's limit)", o.NATSReplicas)
	case o.LeaseTTL < 3*time.Second/2:
		return fmt.Errorf("--lease-ttl %s: at least 1.5s, so renewals every third of it stay apart", o.LeaseTTL)
	case o.Replica == "":
		return errors.New("--replica-id is required: it names this process as an execution's owner")
	case strings.Contains(o.Installation, "/"):
		return fmt.Errorf("--installation %q: no \"/\" (it is one part of the tag on replacement VMs)", o.Installation)
	case o.MaxPlanAge < 0:
		return fmt.Errorf("--max-plan-age %s: must not be negative", o.MaxPlanAge)
	}
	if o.NATS.URL == "" {
		if flag := o.NATS.Security.FirstFlag(); flag != "" {
			return fmt.Errorf("%s needs --nats-url: the embedded server takes no TLS or credentials", flag)
		}
		if o.NATS.DataDir == "" && !o.NATS.Ephemeral {
			return errors.New("--data-dir: no default here (neither XDG_STATE_HOME nor HOME is set): name a folder, or pass --ephemeral-store to lose executions on restart")
		}
		_, _, err := o.NATS.listen()
		return err
	}
	return o.NATS.Security.Check()
}

// listen splits the embedded server's host:port.
func (n NATS) listen() (string, int, error) {
	host, portText, err := net.SplitHostPort(n.Listen)
	if err != nil {
		return "", 0, fmt.Errorf("--nats-listen: %w", err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return "", 0, fmt.Errorf("--nats-listen: port %q: %w", portText, err)
	}
	return host, port, nil
}

// ParseRoles reads --roles: a comma-separated list of executor, rollback.
func ParseRoles(list string) (engine.Roles, error) {
	var r engine.Roles
	for _, name := range strings.Split(list, ",") {
		switch strings.TrimSpace(name) {
		case "executor":
			r.Execute = true
		case "rollback":
			r.Rollback = true
		default:
			return r, fmt.Errorf("--roles: unknown role %q (executor, rollback)", name)
		}
	}
	return r, nil
}
