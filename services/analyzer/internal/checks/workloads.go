package checks

import (
	"fmt"
	"strings"

	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
)

// Names of the workload checks. They belong to the PDB category: like
// budgets, they say whether draining the nodes disrupts workloads.
const (
	NameSingleReplica = "workloads.single_replica"
	NameUnreplicated  = "workloads.unreplicated"
	NameOptedOut      = "workloads.opted_out"
	NameLocalStorage  = "workloads.local_storage"
)

// SingleReplica warns about pods whose owner runs one replica: evicted,
// the workload is down from eviction until its new pod is ready. A
// Deployment the Executor moves by a surging rollout instead stays up, so
// it is no warning: when every single replica surges, the check passes
// and names them, and an otherwise clean group may proceed unattended.
func SingleReplica(in *Input) Result {
	var down, surging []string
	for _, pn := range in.candidatePods() {
		w := pn.pod.Workload
		if w.GetReplicas() != 1 {
			continue
		}
		finding := fmt.Sprintf("%s %s/%s runs 1 replica (pod %s on %s) and %s",
			w.GetOwnerKind(), w.GetNamespace(), w.GetOwnerName(), pn.pod.Key(), pn.node, in.howASingleReplicaMoves(pn.pod))
		if in.rolledOut(pn.pod) {
			surging = append(surging, finding)
		} else {
			down = append(down, finding)
		}
	}
	r := advisory(budgets, NameSingleReplica, down, "every workload to move runs more than one replica")
	if len(surging) == 0 {
		return r
	}
	if len(down) == 0 {
		r.Check.Message = "every single replica to move stays up: " + listed(surging)
		r.Check.Details = map[string]string{}
	} else {
		r.Check.Message += "; staying up: " + listed(surging)
	}
	r.Check.Details["surging"] = fmt.Sprint(len(surging))
	return r
}

// Unreplicated fails for each pod no controller owns: evicting it deletes
// it for good, as kubectl drain and Cluster Autoscaler also refuse to.
func Unreplicated(in *Input) Result {
	var blockers []Blocker
	for _, pn := range in.candidatePods() {
		if pn.pod.Unreplicated() {
			blockers = append(blockers, Blocker{Node: pn.node, Reason: fmt.Sprintf(
				"pod %s on %s has no controller: evicting it deletes it for good", pn.pod.Key(), pn.node)})
		}
	}
	return blocking(budgets, NameUnreplicated, blockers, "every pod to move has a controller that recreates it")
}

// OptedOut fails for each pod that asks never to be disrupted.
func OptedOut(in *Input) Result {
	var blockers []Blocker
	for _, pn := range in.candidatePods() {
		if annotation, ok := facts.OptOut(pn.pod); ok {
			blockers = append(blockers, Blocker{Node: pn.node, Reason: fmt.Sprintf(
				"pod %s on %s opts out of disruption (%s)", pn.pod.Key(), pn.node, annotation)})
		}
	}
	return blocking(budgets, NameOptedOut, blockers, "no pod to move opts out of disruption")
}

// LocalStorage fails for each pod keeping data on its node when the policy
// skips such nodes, and warns that the data is lost otherwise.
func LocalStorage(in *Input) Result {
	var blockers []Blocker
	for _, pn := range in.candidatePods() {
		if len(pn.pod.LocalStorage) > 0 {
			blockers = append(blockers, Blocker{Node: pn.node, Reason: fmt.Sprintf(
				"pod %s on %s keeps data on the node (%s)", pn.pod.Key(), pn.node, strings.Join(pn.pod.LocalStorage, ", "))})
		}
	}
	const pass = "no pod to move keeps data on its node"
	if in.Policy.GetSkipNodesWithLocalStorage() || len(blockers) == 0 {
		r := blocking(budgets, NameLocalStorage, blockers, pass)
		if len(blockers) > 0 {
			r.Check.Message = "the policy skips nodes with local storage: " + r.Check.Message
		}
		return r
	}
	reasons := make([]string, len(blockers))
	for i, b := range blockers {
		reasons[i] = b.Reason + ", lost when it moves"
	}
	return advisory(budgets, NameLocalStorage, reasons, pass)
}
