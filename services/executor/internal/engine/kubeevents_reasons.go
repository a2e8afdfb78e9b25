package engine

import (
	corev1 "k8s.io/api/core/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// kubeReason is how one kind of progress event reads as a Kubernetes
// Event: its reason and type, and whether it is about a node (then it is
// written on that node as well as on the NodeGroup).
type kubeReason struct {
	reason, eventType string
	onNode            bool
}

// kubeReasons maps the progress events an operator reads in `kubectl
// describe` to Kubernetes Events. The rest (each pod evicted, each
// rollback step, status writes, joins before Ready) stay on the progress
// stream: as Events they would drown the story, and the API server keeps
// Events for an hour anyway.
var kubeReasons = map[rebalancerv1.EventKind]kubeReason{
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_AWAITING_APPROVAL: {"RebalanceAwaitingApproval", corev1.EventTypeNormal, false},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_APPROVED:          {"RebalanceApproved", corev1.EventTypeNormal, false},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED:           {"RebalanceStarted", corev1.EventTypeNormal, false},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER:        {"RebalanceTakenOver", corev1.EventTypeNormal, false},
	rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED:               {"BatchStarted", corev1.EventTypeNormal, false},
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED:            {"ReplacementProvisioned", corev1.EventTypeNormal, true},
	rebalancerv1.EventKind_EVENT_KIND_NODE_READY:                  {"ReplacementReady", corev1.EventTypeNormal, true},
	rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED:               {"Cordoned", corev1.EventTypeNormal, true},
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED:          {"DrainStarted", corev1.EventTypeNormal, true},
	rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED:            {"EvictionBlocked", corev1.EventTypeWarning, true},
	rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED:           {"PodForceDeleted", corev1.EventTypeWarning, true},
	rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT:              {"PodRolledOut", corev1.EventTypeNormal, true},
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED:                {"Drained", corev1.EventTypeNormal, true},
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT:          {"DrainTimedOut", corev1.EventTypeWarning, true},
	rebalancerv1.EventKind_EVENT_KIND_SOAK_STARTED:                {"SoakStarted", corev1.EventTypeNormal, true},
	rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_PASSED:          {"HealthGatePassed", corev1.EventTypeNormal, true},
	rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_FAILED:          {"HealthGateFailed", corev1.EventTypeWarning, true},
	rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED:             {"NodeReplaced", corev1.EventTypeNormal, true},
	rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED:                 {"ReplacementFailed", corev1.EventTypeWarning, true},
	rebalancerv1.EventKind_EVENT_KIND_NODE_QUARANTINED:            {"Quarantined", corev1.EventTypeWarning, true},
	rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED:             {"BatchCompleted", corev1.EventTypeNormal, false},
	rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED:                {"BatchFailed", corev1.EventTypeWarning, false},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED:            {"RebalancePaused", corev1.EventTypeNormal, false},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED:           {"RebalanceResumed", corev1.EventTypeNormal, false},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_CANCELLED:         {"RebalanceCancelled", corev1.EventTypeWarning, false},
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STARTED:            {"RollingBack", corev1.EventTypeWarning, false},
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED:          {"RolledBack", corev1.EventTypeWarning, false},
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_FAILED:             {"RollbackFailed", corev1.EventTypeWarning, false},
	rebalancerv1.EventKind_EVENT_KIND_SAVINGS_VERIFIED:            {"SavingsVerified", corev1.EventTypeNormal, false},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED:         {"RebalanceSucceeded", corev1.EventTypeNormal, false},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED:            {"RebalanceFailed", corev1.EventTypeWarning, false},
}

// reasonFor is ev's reason and type; ok is false for a kind left to the
// progress stream. An execution that ended rolled back or cancelled ends
// with EXECUTION_FAILED on the stream, its status in the details; its
// Event says which.
func reasonFor(ev *rebalancerv1.ExecutionEvent) (kubeReason, bool) {
	r, ok := kubeReasons[ev.GetKind()]
	if ok && ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED {
		if s, known := rebalancerv1.ExecutionStatus_value[ev.GetDetails()["status"]]; known {
			r.reason = "Rebalance" + reasonOf(rebalancerv1.ExecutionStatus(s))
		}
	}
	return r, ok
}
