package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/libs/progress"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/invariants"
)

// The kinds of violation the end checks report, besides the invariant
// monitor's ("PDB", "capacity floor", "make before break", "no orphans",
// "no stranded cordons").
const (
	VExecutionNotFinal  = "execution not final"
	VExecutionLost      = "execution lost"
	VFinalEventMissing  = "final event missing"
	VDuplicateVM        = "duplicate VM"
	VActiveExecution    = "active execution left"
	VGroupStatus        = "group status stale"
	VNodeWithoutMachine = "node without machine"
	VOrphan             = "no orphans"          // the monitor's name: the settle wait checks it too
	VCordon             = "no stranded cordons" // likewise
	VHarness            = "harness error"
)

// Violation is one thing wrong at the end of a run.
type Violation struct {
	Kind, Message string
}

func (v Violation) String() string { return v.Kind + ": " + v.Message }

// settle waits, up to SettleTimeout, until the end state holds (the
// reconciler may need a few rounds), and returns the execution's outcome
// and what is still wrong then.
func (r *run) settle(ctx context.Context, id string) (outcome string, vs []Violation) {
	deadline := time.Now().Add(r.cfg.SettleTimeout)
	for {
		outcome, vs = r.endState(ctx, id)
		if len(vs) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return outcome, vs
		}
		sleep(ctx, time.Second)
	}
}

// verdict is the run's violations: the monitor's (every moment of the
// run, and its own end checks of orphans and cordons) and those of the
// end state the monitor does not judge.
func verdict(end []Violation, monitor []invariants.Violation) []Violation {
	var vs []Violation
	for _, v := range end {
		if v.Kind != VOrphan && v.Kind != VCordon {
			vs = append(vs, v)
		}
	}
	for _, v := range monitor {
		vs = append(vs, Violation{Kind: v.Invariant, Message: v.Message})
	}
	return vs
}

// endState judges the run as it stands: the execution and any other of
// the namespace final, the group's machines equal to its Ready nodes, no
// node marked, the NodeGroup's status up to date, no VM made twice.
func (r *run) endState(ctx context.Context, id string) (string, []Violation) {
	outcome, vs := r.executionsFinal(ctx, id)
	nodes, err := r.groupNodes(ctx)
	if err != nil {
		return outcome, append(vs, Violation{VOrphan, fmt.Sprintf("cannot list nodes: %v", err)})
	}
	vs = append(vs, r.groupStatus(ctx, nodes)...)
	vs = append(vs, r.machinesAndNodes(ctx, nodes)...)
	if d := r.sim.Stats().DuplicateVMs - r.before.DuplicateVMs; d > 0 {
		vs = append(vs, Violation{VDuplicateVM, fmt.Sprintf("%d VMs created while one of the same hostname lived", d)})
	}
	return outcome, vs
}

// finalEvent reports a final execution whose final progress event is not
// in the stream: whoever watches it (rebalancectl, a dashboard, the
// rollback handler) waits for ever.
func (r *run) finalEvent(ctx context.Context, id, outcome string, sawFinal bool) []Violation {
	if sawFinal || outcome == "lost" || outcome == "unknown" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if progress.Watch(ctx, r.js, id, 1, func(*rebalancerv1.ExecutionEvent) error { return nil }) == nil {
		return nil // it came after the watch gave up
	}
	return []Violation{{VFinalEventMissing, fmt.Sprintf("%s is %s, but its final event was never published", id, outcome)}}
}

// executionsFinal lists the namespace's executions through a replica's
// API and returns the run's execution's status, in lower case.
func (r *run) executionsFinal(ctx context.Context, id string) (string, []Violation) {
	callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := r.fleet.live().api.ListExecutions(callCtx, &rebalancerv1.ListExecutionsRequest{Namespace: r.ns})
	if err != nil {
		return "unknown", []Violation{{VExecutionNotFinal, fmt.Sprintf("cannot list executions: %v", err)}}
	}
	outcome := "lost"
	var vs []Violation
	for _, x := range resp.GetExecutions() {
		status := strings.ToLower(strings.TrimPrefix(x.GetStatus().String(), "EXECUTION_STATUS_"))
		if x.GetExecutionId() == id {
			outcome = status
		}
		if !finalStatus(x.GetStatus()) {
			vs = append(vs, Violation{VExecutionNotFinal, fmt.Sprintf("%s is %s (owner %q)", x.GetExecutionId(), status, x.GetOwner())})
		}
	}
	if outcome == "lost" {
		vs = append(vs, Violation{VExecutionLost, fmt.Sprintf("%s was accepted but no replica lists it", id)})
	}
	return outcome, vs
}

func finalStatus(s rebalancerv1.ExecutionStatus) bool {
	switch s {
	case rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED,
		rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK:
		return true
	}
	return false
}

// groupStatus reports a NodeGroup status the end of the execution did
// not bring up to date: an active execution still named, the Rebalancing
// condition still true, members that are not the group's nodes.
func (r *run) groupStatus(ctx context.Context, nodes []corev1.Node) []Violation {
	g, err := r.sb.Autoscaler.NodeGroups(r.ns).Get(ctx, r.ns, metav1.GetOptions{})
	if err != nil {
		return []Violation{{VActiveExecution, fmt.Sprintf("cannot read the NodeGroup: %v", err)}}
	}
	var vs []Violation
	if a := g.Status.ActiveExecution; a != nil {
		vs = append(vs, Violation{VActiveExecution, fmt.Sprintf("status.activeExecution still names plan %s", a.PlanID)})
	}
	if c := meta.FindStatusCondition(g.Status.Conditions, rebalancingCondition); c != nil && c.Status == metav1.ConditionTrue {
		vs = append(vs, Violation{VGroupStatus, fmt.Sprintf("condition %s still true: %s", rebalancingCondition, c.Message)})
	}
	var members, actual []string
	for _, m := range g.Status.Nodes {
		members = append(members, m.Name)
	}
	for _, n := range nodes {
		actual = append(actual, n.Name)
	}
	slices.Sort(members)
	slices.Sort(actual)
	if !slices.Equal(members, actual) {
		vs = append(vs, Violation{VGroupStatus, fmt.Sprintf("status.nodes %v, but the group's nodes are %v", members, actual)})
	}
	return vs
}

// rebalancingCondition is the NodeGroup condition the Executor owns.
const rebalancingCondition = "Rebalancing"

// machinesAndNodes compares the group's machines at VPSie with its nodes:
// each machine a Ready, unmarked node of the group, each node a machine.
func (r *run) machinesAndNodes(ctx context.Context, nodes []corev1.Node) []Violation {
	machines, err := r.groupMachines(ctx)
	if err != nil {
		return []Violation{{VOrphan, fmt.Sprintf("cannot list machines: %v", err)}}
	}
	byProvider := map[string]*corev1.Node{}
	var vs []Violation
	for i := range nodes {
		n := &nodes[i]
		byProvider[n.Spec.ProviderID] = n
		if !slices.Contains(machines, n.Spec.ProviderID) {
			vs = append(vs, Violation{VNodeWithoutMachine, fmt.Sprintf("node %s has no machine at VPSie", n.Name)})
		}
		if marked(n) {
			vs = append(vs, Violation{VCordon, fmt.Sprintf("node %s is cordoned or carries a rebalancer taint", n.Name)})
		}
	}
	for _, id := range machines {
		if n := byProvider[id]; n == nil || !kube.NodeReady(n) {
			vs = append(vs, Violation{VOrphan, fmt.Sprintf("machine %s is not a Ready node of the group", id)})
		}
	}
	return vs
}

// groupMachines are the provider IDs of the group's machines: the plain
// VMs labelled with the group, or every node of the run's managed cluster.
func (r *run) groupMachines(ctx context.Context) ([]string, error) {
	var ids []string
	if r.sc.Mode == "managed" {
		c, err := r.cloud.GetKubeCluster(ctx, r.clusterID())
		if err != nil {
			return nil, err
		}
		for _, kn := range c.Nodes {
			ids = append(ids, kn.ProviderID())
		}
		return ids, nil
	}
	vms, err := r.cloud.ListVMs(ctx)
	if err != nil {
		return nil, err
	}
	for _, vm := range vms {
		if vm.Labels[v1alpha1.LabelNodeGroup] == r.ns {
			ids = append(ids, vm.ProviderID())
		}
	}
	return ids, nil
}

func (r *run) clusterID() string { return catalog.ID("cluster", r.ns) }

// marked reports a node cordoned or carrying a rebalancer taint.
func marked(n *corev1.Node) bool {
	return n.Spec.Unschedulable || slices.ContainsFunc(n.Spec.Taints, func(t corev1.Taint) bool {
		return strings.HasPrefix(t.Key, invariants.TaintPrefix)
	})
}
