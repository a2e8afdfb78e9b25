package chaos

import (
	"cmp"
	"fmt"
	"io"
	"time"

	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

// Config tunes a campaign. The zero value of each duration is a default
// chosen so a run takes 20 to 40 seconds on two shared cores.
type Config struct {
	// Sandbox, when set, is used instead of starting one (tests share one).
	Sandbox *sandbox.Sandbox
	// BinDir receives the executor, planner and natsd binaries, built from
	// the repository at Start.
	BinDir string
	// WorkDir receives a folder per run with every process's log; kept,
	// so a failed run can be read afterwards.
	WorkDir string
	// Replicas is the number of Executor processes; at least 2.
	Replicas int
	// BootDelay is the simulator's time from a VM's create to its boot.
	BootDelay time.Duration
	// LeaseTTL is the replicas' lease: a dead owner's execution is taken
	// over after it.
	LeaseTTL time.Duration
	// DrainTimeout and ProvisionTimeout are the group's: short, so a
	// blocked drain or a replacement that never joins ends a run quickly.
	DrainTimeout, ProvisionTimeout time.Duration
	// RunTimeout bounds a run from submit to the execution's final event.
	RunTimeout time.Duration
	// SettleTimeout bounds the wait, after the final event, for the end
	// state to hold; the reconciler acts every few seconds.
	SettleTimeout time.Duration
	// ExecutorArgs are added to every replica's flags.
	ExecutorArgs []string
	// Out receives a line per run and the totals.
	Out io.Writer
}

func (c Config) withDefaults() Config {
	c.Replicas = max(c.Replicas, 2)
	c.BootDelay = cmp.Or(c.BootDelay, time.Second)
	c.LeaseTTL = cmp.Or(c.LeaseTTL, 3*time.Second)
	// Blue-green drains the whole group at once, one pod of a budget at a
	// time: 10 s rolled five-node groups back without any fault.
	c.DrainTimeout = cmp.Or(c.DrainTimeout, 20*time.Second)
	c.ProvisionTimeout = cmp.Or(c.ProvisionTimeout, 6*time.Second)
	c.RunTimeout = cmp.Or(c.RunTimeout, 2*time.Minute)
	c.SettleTimeout = cmp.Or(c.SettleTimeout, 45*time.Second)
	if c.Out == nil {
		c.Out = io.Discard
	}
	return c
}

// printf writes to Out; a lost line is no reason to stop a campaign.
func (c Config) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(c.Out, format, args...)
}
