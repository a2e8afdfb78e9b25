package engine

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// Each orphan the reclaim acts on gets a Kubernetes Event besides its
// metric and log line (issue 17): on its NodeGroup, where `kubectl
// describe nodegroup` shows what happened to the group's machines, and on
// its Node when one registered. Warning, both: an orphan is something an
// execution left behind.
const (
	reasonOrphanAdopted = "OrphanAdopted"
	reasonOrphanDeleted = "OrphanDeleted"
)

// tellOrphan writes the Event of an orphan adopted or deleted; why is the
// reclaim's verdict in words.
func (e *Executor) tellOrphan(r replacement, group *v1alpha1.NodeGroup, reason, action, why string) {
	what := "adopted"
	if reason == reasonOrphanDeleted {
		what = "deleted"
	}
	lane := "replacement for old node " + r.of.OldNode
	if r.of.OldNode == "" {
		lane = "claimed by none of its lanes" // managedorphans.go
	}
	note := fmt.Sprintf("Orphan %s (execution %s, %s) %s: %s", machineName(r), r.of.Execution, lane, what, why)
	var groupObj *corev1.ObjectReference
	if group != nil {
		groupObj = groupRef(group)
		e.deps.Story.Note(groupObj, nil, corev1.EventTypeWarning, reason, action, note)
	}
	if r.node != nil {
		e.deps.Story.Note(nodeRef(r.node.Name), groupObj, corev1.EventTypeWarning, reason, action, note)
	}
}

// machineName names an orphan's machine as an operator finds it at VPSie.
func machineName(r replacement) string {
	kind := "VM"
	if r.mode == modeManaged {
		kind = "VPSie node"
	}
	if r.hostname != "" && r.hostname != r.id {
		return fmt.Sprintf("%s %s (%s)", kind, r.id, r.hostname)
	}
	return kind + " " + r.id
}
