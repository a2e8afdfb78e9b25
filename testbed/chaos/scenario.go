package chaos

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Scenario is everything one run does, drawn from its seed alone.
type Scenario struct {
	Seed      uint64
	Strategy  string // rolling, surge or blue-green
	Size      int    // nodes of the group, every one replaced
	Mode      string // vm or managed
	Workloads []Workload
	Faults    Faults
}

// Workload is a Deployment pinned to the group, guarded by a budget.
type Workload struct {
	Name     string
	Replicas int32
	// MaxUnavailable of its PDB; Blocking budgets have 0, so no eviction
	// of theirs is ever allowed.
	MaxUnavailable int32
}

// Faults are the faults a run injects. A fault bound to an event kind is
// injected only if the execution reaches that event.
type Faults struct {
	// Kill SIGKILLs the execution's owner at an event; nil: no kill.
	Kill *EventFault
	// NATSRestart SIGKILLs the nats-server at an event and starts it
	// again on its port and store; nil: none.
	NATSRestart *EventFault
	// Cloud5xx makes 20% of VPSie calls fail with a 5xx, half of those on
	// creates and deletes after the work was done.
	Cloud5xx bool
	// Burst429 answers that many VPSie calls with 429 at the start.
	Burst429 int
	// NeverJoin makes the replacements of one old node (vm mode) or every
	// replacement (managed mode, where VPSie names the nodes) never join.
	NeverJoin bool
	// BlockingPDB adds a workload whose budget never allows a disruption.
	BlockingPDB bool
}

// EventFault strikes After the Nth (Occurrence) event of Kind, and lets
// the victim come back after Down.
type EventFault struct {
	Kind       rebalancerv1.EventKind
	Occurrence int
	After      time.Duration
	Down       time.Duration
}

var strategies = []string{"rolling", "surge", "blue-green"}

// killPoints are where an owner may die. NODE_PROVISIONING comes with a
// slow VPSie create answer, so the kill lands between the VM order and
// the record of it.
var killPoints = []rebalancerv1.EventKind{
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING,
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING,
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_READY,
	rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED,
	rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING,
	rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED,
	rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED,
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STARTED,
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STEP,
	rebalancerv1.EventKind_EVENT_KIND_SAVINGS_VERIFIED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_GROUP_UPDATED,
}

// instantKills are kill points whose window is a few milliseconds (the
// execution's record is final, its lock and final event not yet written):
// the kill follows the event at once.
var instantKills = map[rebalancerv1.EventKind]bool{
	rebalancerv1.EventKind_EVENT_KIND_SAVINGS_VERIFIED:   true,
	rebalancerv1.EventKind_EVENT_KIND_NODE_GROUP_UPDATED: true,
}

// natsPoints are where the nats-server may go down.
var natsPoints = []rebalancerv1.EventKind{
	rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED,
	rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED,
	rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING,
}

// Draw is the scenario of seed. It draws in a fixed order, so adding a
// draw at the end keeps earlier seeds' scenarios.
func Draw(seed uint64) Scenario {
	r := rand.New(rand.NewPCG(seed, 0x5eed_c4a05))
	s := Scenario{Seed: seed}
	s.Strategy = strategies[r.IntN(len(strategies))]
	s.Size = 2 + r.IntN(4)
	s.Mode = "vm"
	if r.IntN(2) == 1 {
		s.Mode = "managed"
	}
	s.Workloads = drawWorkloads(r, s.Size)
	s.Faults = drawFaults(r, s.Size)
	// Two replicas: a single one would be rolled out, not evicted.
	if s.Faults.BlockingPDB {
		s.Workloads = append(s.Workloads, Workload{Name: "stuck", Replicas: 2, MaxUnavailable: 0})
	}
	return s
}

// drawWorkloads draws one or two Deployments, each guarded by a budget
// that allows one pod away at a time.
func drawWorkloads(r *rand.Rand, size int) []Workload {
	w := []Workload{{Name: "web", Replicas: int32(2 + r.IntN(size+1)), MaxUnavailable: 1}}
	if r.IntN(2) == 1 {
		w = append(w, Workload{Name: "api", Replicas: int32(1 + r.IntN(3)), MaxUnavailable: 1})
	}
	return w
}

func drawFaults(r *rand.Rand, size int) Faults {
	var f Faults
	if r.Float64() < 0.6 {
		f.Kill = &EventFault{Kind: killPoints[r.IntN(len(killPoints))], Occurrence: 1 + r.IntN(min(size, 2)),
			After: time.Duration(r.IntN(250)) * time.Millisecond, Down: time.Duration(500+r.IntN(2500)) * time.Millisecond}
		if instantKills[f.Kill.Kind] {
			f.Kill.After = 0
		}
	}
	if r.Float64() < 0.3 {
		f.NATSRestart = &EventFault{Kind: natsPoints[r.IntN(len(natsPoints))], Occurrence: 1,
			After: time.Duration(r.IntN(500)) * time.Millisecond, Down: time.Duration(1000+r.IntN(2000)) * time.Millisecond}
	}
	f.Cloud5xx = r.Float64() < 0.4
	if r.Float64() < 0.4 {
		f.Burst429 = 2 + r.IntN(4)
	}
	f.NeverJoin = r.Float64() < 0.2
	f.BlockingPDB = r.Float64() < 0.2
	return f
}

// Drawn names the faults of the scenario, for its report line.
func (f Faults) Drawn() []string {
	var names []string
	if f.Kill != nil {
		names = append(names, fmt.Sprintf("%s@%s#%d", FaultKill, shortKind(f.Kill.Kind), f.Kill.Occurrence))
	}
	if f.NATSRestart != nil {
		names = append(names, fmt.Sprintf("%s@%s", FaultNATSRestart, shortKind(f.NATSRestart.Kind)))
	}
	if f.Cloud5xx {
		names = append(names, FaultCloud5xx)
	}
	if f.Burst429 > 0 {
		names = append(names, fmt.Sprintf("%s(%d)", FaultBurst429, f.Burst429))
	}
	if f.NeverJoin {
		names = append(names, FaultNeverJoin)
	}
	if f.BlockingPDB {
		names = append(names, FaultBlockingPDB)
	}
	return names
}

// The fault kinds, as counted in the totals.
const (
	FaultKill        = "kill"
	FaultNATSRestart = "nats-restart"
	FaultCloud5xx    = "vpsie-5xx"
	FaultBurst429    = "vpsie-429"
	FaultNeverJoin   = "never-join"
	FaultBlockingPDB = "blocking-pdb"
)

// shortKind is an event kind without its enum prefix, lower case.
func shortKind(k rebalancerv1.EventKind) string {
	return strings.ToLower(strings.TrimPrefix(k.String(), "EVENT_KIND_"))
}
