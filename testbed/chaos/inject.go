package chaos

import (
	"context"
	"fmt"
	"sync"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/progress"
)

// injector strikes the scenario's event-bound faults as the execution's
// progress events arrive, and keeps what it injected and what it saw.
type injector struct {
	r       *run
	ctx     context.Context
	pending sync.WaitGroup // kills and restarts under way

	mu        sync.Mutex
	seen      map[rebalancerv1.EventKind]int
	injected  []string
	notes     []string
	forced    []string // pods reported deleted past their budget
	stuckNode string   // vm mode: the old node whose replacements never join
	final     bool     // the final event came
}

func newInjector(ctx context.Context, r *run) *injector {
	return &injector{r: r, ctx: ctx, seen: map[rebalancerv1.EventKind]int{}}
}

// on handles one event: it runs in the watch, so a kill lands right at
// the step that event announces.
func (in *injector) on(ev *rebalancerv1.ExecutionEvent) {
	in.mu.Lock()
	defer in.mu.Unlock()
	kind := ev.GetKind()
	in.seen[kind]++
	f := in.r.sc.Faults
	if f.Kill != nil && kind == f.Kill.Kind && in.seen[kind] == f.Kill.Occurrence {
		in.spawn(func() { in.killOwner(ev.GetExecutionId(), *f.Kill) })
	}
	if f.NATSRestart != nil && kind == f.NATSRestart.Kind && in.seen[kind] == f.NATSRestart.Occurrence {
		in.spawn(func() { in.restartNATS(*f.NATSRestart) })
	}
	if f.NeverJoin && kind == rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING {
		in.strandReplacement(ev)
	}
	if kind == rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED {
		in.forced = append(in.forced, ev.GetDetails()["pod"])
	}
	in.final = in.final || progress.Final(ev)
}

func (in *injector) spawn(f func()) {
	in.pending.Add(1)
	go func() {
		defer in.pending.Done()
		f()
	}()
}

// strandReplacement makes every replacement VM of one old node (the first
// one provisioned) never join: the simulator checks at boot, a boot delay
// after the create this event announces. Managed mode sets the whole
// target group up front instead (see arm).
func (in *injector) strandReplacement(ev *rebalancerv1.ExecutionEvent) {
	hostname := ev.GetDetails()["hostname"]
	if hostname == "" {
		return
	}
	if in.stuckNode == "" {
		in.stuckNode = ev.GetNodeName()
		in.injected = append(in.injected, FaultNeverJoin)
	}
	if ev.GetNodeName() == in.stuckNode {
		if err := in.r.sim.NeverJoin(hostname); err != nil {
			in.notes = append(in.notes, fmt.Sprintf("never-join %s: %v", hostname, err))
		}
	}
}

// killOwner SIGKILLs the replica owning the execution, then starts it
// again with the same flags once the fault's downtime has passed.
func (in *injector) killOwner(id string, f EventFault) {
	sleep(in.ctx, f.After)
	owner, err := in.owner(id)
	victim := in.r.fleet.byID(owner)
	if err != nil || victim == nil {
		in.note("kill skipped: owner of %s unknown (%v)", id, err)
		return
	}
	victim.kill()
	in.record(FaultKill)
	sleep(in.ctx, f.Down)
	if err := victim.start(); err != nil {
		in.note("restart %s: %v", victim.id, err)
	}
}

// owner asks the replicas which of them owns the execution, for up to a
// few seconds: NATS may be away at that very moment.
func (in *injector) owner(id string) (string, error) {
	var err error
	for range 10 {
		ctx, cancel := context.WithTimeout(in.ctx, time.Second)
		var resp *rebalancerv1.GetExecutionResponse
		resp, err = in.r.fleet.live().api.GetExecution(ctx, &rebalancerv1.GetExecutionRequest{ExecutionId: id})
		cancel()
		if err == nil && resp.GetExecution().GetOwner() != "" {
			return resp.GetExecution().GetOwner(), nil
		}
		sleep(in.ctx, 300*time.Millisecond)
	}
	return "", err
}

// restartNATS SIGKILLs the nats-server and brings it back on its port
// and store after the fault's downtime.
func (in *injector) restartNATS(f EventFault) {
	sleep(in.ctx, f.After)
	in.r.nats.crash()
	in.record(FaultNATSRestart)
	sleep(in.ctx, f.Down)
	if err := in.r.nats.start(context.WithoutCancel(in.ctx)); err != nil {
		in.note("nats-server did not come back: %v", err)
	}
}

func (in *injector) record(fault string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.injected = append(in.injected, fault)
}

func (in *injector) note(format string, args ...any) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.notes = append(in.notes, fmt.Sprintf(format, args...))
}

// forcedPods lists the pods the execution reported deleting past their
// budget: the invariant monitor does not count them as PDB violations.
func (in *injector) forcedPods() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.forced...)
}

// result is what was injected and noted.
func (in *injector) result() (injected, notes []string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.injected...), append([]string(nil), in.notes...)
}

// sawFinal reports whether the execution's final event came.
func (in *injector) sawFinal() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.final
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
