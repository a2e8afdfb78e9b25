package checks

import (
	"fmt"

	"github.com/vpsie/node-rebalancer/libs/rollout"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
)

// rolledOut reports whether the Executor moves the pod by a surging
// rollout of its Deployment instead of an eviction: the policy rolls out
// single replicas and the Deployment surges. The new pod is available
// before the old one goes, so no budget loses a healthy pod, and the
// Eviction API, the only one to consult budgets, is not called.
func (in *Input) rolledOut(p *facts.Pod) bool {
	return p.Surges && rollout.Enabled(in.Policy)
}

// evictedPods are the candidates' pods a drain evicts: all but those
// moved by a surging rollout. The budget checks read these.
func (in *Input) evictedPods() []podOnNode {
	var out []podOnNode
	for _, pn := range in.candidatePods() {
		if !in.rolledOut(pn.pod) {
			out = append(out, pn)
		}
	}
	return out
}

// rolledOutUnderBudgets names the pods under a budget that a surging
// rollout moves, for a budget check's message: it says why their budgets
// were not counted. Empty when there are none.
func (in *Input) rolledOutUnderBudgets() string {
	var pods []string
	for _, pn := range in.candidatePods() {
		if len(pn.pod.PDBs) > 0 && in.rolledOut(pn.pod) {
			pods = append(pods, fmt.Sprintf("%s on %s", pn.pod.Key(), pn.node))
		}
	}
	if len(pods) == 0 {
		return ""
	}
	return "; moved by a surging rollout instead of an eviction, which keeps their budgets whole: " + listed(pods)
}

// howASingleReplicaMoves says whether the workload of a single replica is
// down while its pod moves, and why when a rollout would not help.
func (in *Input) howASingleReplicaMoves(p *facts.Pod) string {
	switch {
	case in.rolledOut(p):
		return "moves by a surging rollout: its new pod starts before this one goes"
	case rollout.Enabled(in.Policy) && p.NoSurge != "":
		return "is down while it moves (evicted, not rolled out: " + p.NoSurge + ")"
	default:
		return "is down while it moves"
	}
}
