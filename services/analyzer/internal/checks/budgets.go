package checks

import (
	"fmt"
	"strings"

	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
)

const budgets = rebalancerv1.SafetyCheckCategory_SAFETY_CHECK_CATEGORY_POD_DISRUPTION_BUDGETS

// Names of the PodDisruptionBudget checks.
const (
	NameDisruptionsAllowed = "pdb.disruptions_allowed"
	NameFullyBlocking      = "pdb.fully_blocking"
	NameMultipleBudgets    = "pdb.multiple_budgets"
)

// podOnNode is a candidate's pod, for the checks that walk them all.
type podOnNode struct {
	node string
	pod  *facts.Pod
}

func (in *Input) candidatePods() []podOnNode {
	var out []podOnNode
	for _, m := range in.candidates() {
		for _, p := range m.Pods {
			out = append(out, podOnNode{node: m.Node.Name, pod: p})
		}
	}
	return out
}

// pdbFindings applies a per-budget rule to every budget of every pod a
// drain would evict (a pod moved by a surging rollout is not). When the
// policy does not respect budgets, the findings only warn: the drain
// deletes past them.
func pdbFindings(in *Input, name string, rule func(pdb *policyv1.PodDisruptionBudget) (string, bool, bool), pass string) Result {
	var blockers []Blocker
	for _, pn := range in.evictedPods() {
		for _, pdb := range pn.pod.PDBs {
			if why, wait, hit := rule(pdb); hit {
				blockers = append(blockers, Blocker{Node: pn.node, Wait: wait,
					Reason: fmt.Sprintf("PDB %s/%s %s, and selects pod %s on %s", pdb.Namespace, pdb.Name, why, pn.pod.Key(), pn.node)})
			}
		}
	}
	return policyGate(in, name, blockers, pass+in.rolledOutUnderBudgets())
}

// policyGate downgrades budget blockers to a warning when the policy
// says not to respect budgets.
func policyGate(in *Input, name string, blockers []Blocker, pass string) Result {
	if in.Policy.GetRespectPdbs() || len(blockers) == 0 {
		return blocking(budgets, name, blockers, pass)
	}
	reasons := make([]string, len(blockers))
	for i, b := range blockers {
		reasons[i] = b.Reason
	}
	return warning(budgets, name, "the policy does not respect PDBs, so a drain deletes past them: "+listed(reasons),
		map[string]string{"nodes": nodeNames(blockers)})
}

// DisruptionsAllowed fails for each budget that allows no eviction now, or
// whose status the disruption controller has not computed yet: a drain of
// the node would wait until its timeout. A single replica moved by a
// surging rollout needs no disruption: its budget stays satisfied.
func DisruptionsAllowed(in *Input) Result {
	return pdbFindings(in, NameDisruptionsAllowed, func(pdb *policyv1.PodDisruptionBudget) (string, bool, bool) {
		s := pdb.Status
		if s.ObservedGeneration < pdb.Generation {
			return "is not yet observed by the disruption controller", true, true
		}
		if s.DisruptionsAllowed <= 0 {
			return fmt.Sprintf("allows 0 disruptions (%d healthy, %d desired, %d expected)",
				s.CurrentHealthy, s.DesiredHealthy, s.ExpectedPods), true, true
		}
		return "", false, false
	}, "every budget of the pods to move allows a disruption now")
}

// FullyBlocking fails for each budget that can never allow an eviction,
// however healthy its pods: maxUnavailable 0, or minAvailable all of them.
// Waiting will not help; the budget or the workload has to change. The
// usual case, minAvailable 1 over a Deployment of one replica, does not
// block when the policy rolls out single replicas and the Deployment
// surges: the Executor then moves the pod without an eviction.
func FullyBlocking(in *Input) Result {
	return pdbFindings(in, NameFullyBlocking, func(pdb *policyv1.PodDisruptionBudget) (string, bool, bool) {
		if why, ok := neverAllows(pdb); ok {
			return "can never allow an eviction (" + why + ")", false, true
		}
		return "", false, false
	}, "no budget of the pods to move blocks every eviction")
}

func neverAllows(pdb *policyv1.PodDisruptionBudget) (string, bool) {
	if mu := pdb.Spec.MaxUnavailable; mu != nil && isZero(*mu) {
		return "maxUnavailable " + mu.String(), true
	}
	ma := pdb.Spec.MinAvailable
	if ma == nil {
		return "", false
	}
	expected := pdb.Status.ExpectedPods
	switch {
	case ma.Type == intstr.String && strings.TrimSpace(ma.StrVal) == "100%":
		return "minAvailable 100%", true
	case ma.Type == intstr.Int && expected > 0 && ma.IntVal >= expected:
		return fmt.Sprintf("minAvailable %d of %d expected pods", ma.IntVal, expected), true
	}
	return "", false
}

func isZero(v intstr.IntOrString) bool {
	if v.Type == intstr.Int {
		return v.IntVal == 0
	}
	return strings.TrimSpace(v.StrVal) == "0%"
}

// MultipleBudgets fails for each pod to evict selected by more than one
// budget: the Eviction API refuses to evict such a pod at all (HTTP 500).
func MultipleBudgets(in *Input) Result {
	var blockers []Blocker
	for _, pn := range in.evictedPods() {
		if len(pn.pod.PDBs) > 1 {
			blockers = append(blockers, Blocker{Node: pn.node, Reason: fmt.Sprintf(
				"pod %s on %s is selected by %d PDBs (%s), and the Eviction API refuses to evict it",
				pn.pod.Key(), pn.node, len(pn.pod.PDBs), strings.Join(pn.pod.Workload.GetPdbNames(), ", "))})
		}
	}
	return policyGate(in, NameMultipleBudgets, blockers, "no pod to move is selected by more than one PDB"+in.rolledOutUnderBudgets())
}
