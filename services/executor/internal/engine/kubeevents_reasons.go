package engine

import (
	corev1 "k8s.io/api/core/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// kubeReason is how one kind of progress event reads in Kubernetes: the
// reason and type of its Event and of the RebalanceBlocked condition it
// sets (conditions.go), and where its Event is written, if anywhere.
type kubeReason struct {
	reason, eventType string
	on                eventOn
}

// eventOn says which objects an Event is written on.
type eventOn uint8

const (
	// onNone: no Event; the progress stream tells it, and the old node's
	// last Event counts it (kubeevents.go, tally).
	onNone eventOn = 0
	// onGroup: the NodeGroup, where `kubectl describe nodegroup` reads
	// the execution's story.
	onGroup eventOn = 1 << iota
	// onOldNode: the old node the event is about, where `kubectl
	// describe node` reads why the node is going or stays.
	onOldNode
	// onNewNode: the replacement the event names (details["node"]), so
	// that every node involved tells its part.
	onNewNode
)

// kubeReasons maps progress events to how they read in Kubernetes. Events
// cost a write each (11.5 per replaced node when every step had one), and
// every step is on the progress stream already, so an Event is written
// only where an operator reading `kubectl describe` or `kubectl get
// events` needs one:
//   - the execution's turns, on the group (rare: a handful per run);
//   - per old node, one Event when its replacement starts (on the node,
//     which is still there) and one when it is replaced (on the group: the
//     Node object is gone by then), counting the steps between; and one
//     on the replacement when it is Ready, so every node involved says
//     its part;
//   - every Warning of a run going wrong or held (an eviction a PDB
//     refuses, a drain timed out, a forced delete, a failed node or
//     batch, a health gate failing, a quarantine) on the group and the
//     old node: they say why a run waits or stopped. Repeats of a refused
//     eviction fold into one Event's series;
//   - a health gate passing, on the node that soaked.
//
// The routine steps between (provisioned, cordoned, drained, pods rolled
// out or evicted, soak started, batches started and completed) get no
// Event; their reasons still name the RebalanceBlocked condition they set.
var kubeReasons = map[rebalancerv1.EventKind]kubeReason{
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_AWAITING_APPROVAL: {"RebalanceAwaitingApproval", corev1.EventTypeNormal, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_APPROVED:          {"RebalanceApproved", corev1.EventTypeNormal, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED:           {"RebalanceStarted", corev1.EventTypeNormal, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_TAKEN_OVER:        {"RebalanceTakenOver", corev1.EventTypeNormal, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED:               {"BatchStarted", corev1.EventTypeNormal, onNone},
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING:           {"ReplacementStarted", corev1.EventTypeNormal, onOldNode},
	rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED:            {"ReplacementProvisioned", corev1.EventTypeNormal, onNone},
	rebalancerv1.EventKind_EVENT_KIND_NODE_READY:                  {"ReplacementReady", corev1.EventTypeNormal, onNewNode},
	rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED:               {"Cordoned", corev1.EventTypeNormal, onNone},
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED:          {"DrainStarted", corev1.EventTypeNormal, onNone},
	rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED:            {"EvictionBlocked", corev1.EventTypeWarning, onGroup | onOldNode},
	rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED:           {"PodForceDeleted", corev1.EventTypeWarning, onGroup | onOldNode},
	rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT:              {"PodRolledOut", corev1.EventTypeNormal, onNone},
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED:                {"Drained", corev1.EventTypeNormal, onNone},
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT:          {"DrainTimedOut", corev1.EventTypeWarning, onGroup | onOldNode},
	rebalancerv1.EventKind_EVENT_KIND_SOAK_STARTED:                {"SoakStarted", corev1.EventTypeNormal, onNone},
	rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_PASSED:          {"HealthGatePassed", corev1.EventTypeNormal, onOldNode},
	rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_FAILED:          {"HealthGateFailed", corev1.EventTypeWarning, onGroup | onOldNode},
	rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED:             {"NodeReplaced", corev1.EventTypeNormal, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED:                 {"ReplacementFailed", corev1.EventTypeWarning, onGroup | onOldNode},
	rebalancerv1.EventKind_EVENT_KIND_NODE_QUARANTINED:            {"Quarantined", corev1.EventTypeWarning, onGroup | onOldNode},
	rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED:             {"BatchCompleted", corev1.EventTypeNormal, onNone},
	rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED:                {"BatchFailed", corev1.EventTypeWarning, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED:            {"RebalancePaused", corev1.EventTypeNormal, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED:           {"RebalanceResumed", corev1.EventTypeNormal, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_CANCELLED:         {"RebalanceCancelled", corev1.EventTypeWarning, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STARTED:            {"RollingBack", corev1.EventTypeWarning, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED:          {"RolledBack", corev1.EventTypeWarning, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_FAILED:             {"RollbackFailed", corev1.EventTypeWarning, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_SAVINGS_VERIFIED:            {"SavingsVerified", corev1.EventTypeNormal, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED:         {"RebalanceSucceeded", corev1.EventTypeNormal, onGroup},
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED:            {"RebalanceFailed", corev1.EventTypeWarning, onGroup},
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
