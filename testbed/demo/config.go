package demo

import (
	"fmt"
	"io"
	"strings"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

// Config is one run of the demo's scenario.
type Config struct {
	// Strategy is rolling, surge or blue-green.
	Strategy string
	// Mode is how the group's nodes come to be: ModeManaged or ModeVM.
	Mode string
	// Nodes is the group's size; every node is replaced.
	Nodes int
	// Namespace holds the group's workloads; the NodeGroup is named after it.
	Namespace string
	// BinDir holds vpsie-sim, analyzer, planner and executor.
	BinDir string
	// LogDir receives each child's log and the token file.
	LogDir string
	// BootDelay is the simulator's time from create to running.
	BootDelay time.Duration
	// Timeout bounds the rebalance itself, from submit to the last event.
	Timeout time.Duration
	// Hold sets the group and the services up on the fixed HeldAddrs, says
	// how to drive them by hand, and waits for ctx to end instead of
	// rebalancing: the environment of the README's grpcurl session.
	Hold bool
	// Sandbox, when set, is used instead of starting one (tests share one).
	Sandbox *sandbox.Sandbox
	// Out shows the run; Terminal says whether to redraw progress bars in
	// place (Width columns) or print one line per event.
	Out      io.Writer
	Terminal bool
	Width    int
}

// HeldAddrs are the gRPC and metrics addresses of each service in hold
// mode: the defaults of rebalancectl, so both it and the README's grpcurl
// session reach them as written.
var HeldAddrs = map[string][2]string{
	"analyzer": {"127.0.0.1:9090", "127.0.0.1:8080"},
	"planner":  {"127.0.0.1:9091", "127.0.0.1:8081"},
	"executor": {"127.0.0.1:9092", "127.0.0.1:8082"},
}

// The provisioning modes Config.Mode takes.
const (
	// ModeManaged adds nodes to the VPSie groups of a managed cluster.
	ModeManaged = "managed"
	// ModeVM boots VMs with the group's user data (a self-managed cluster).
	ModeVM = "vm"
)

// Strategies are the names Config.Strategy takes.
var strategies = map[string]rebalancerv1.RebalanceStrategy{
	"rolling":    rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
	"surge":      rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
	"blue-green": rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN,
}

// Validate reports what is wrong with the configuration, all at once.
func (c Config) Validate() error {
	var problems []string
	if c.Mode != ModeManaged && c.Mode != ModeVM {
		problems = append(problems, fmt.Sprintf("mode %q: want %s or %s", c.Mode, ModeManaged, ModeVM))
	}
	if _, ok := strategies[c.Strategy]; !ok {
		problems = append(problems, fmt.Sprintf("strategy %q: want rolling, surge or blue-green", c.Strategy))
	}
	// The simulator's default quota is 50 VMs; blue-green doubles the group.
	if c.Nodes < 1 || c.Nodes > 20 {
		problems = append(problems, fmt.Sprintf("nodes %d: want 1 to 20", c.Nodes))
	}
	if c.Namespace == "" || c.BinDir == "" || c.LogDir == "" || c.Out == nil {
		problems = append(problems, "namespace, bin dir, log dir and output are required")
	}
	if c.BootDelay <= 0 || c.Timeout <= 0 {
		problems = append(problems, "boot delay and timeout must be positive")
	}
	if len(problems) > 0 {
		return fmt.Errorf("demo: %s", strings.Join(problems, "; "))
	}
	return nil
}

func (c Config) strategy() rebalancerv1.RebalanceStrategy { return strategies[c.Strategy] }

// logf prints one step of the set-up.
func (c Config) logf(format string, args ...any) {
	c.printf("  "+format+"\n", args...)
}

// printf writes to Out. A line the terminal or pipe lost is no reason to
// stop a rebalance half-way, so write errors are dropped here, once.
func (c Config) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(c.Out, format, args...)
}
