package testfixture

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// stepsPerNode is how many node steps the fixture's progress counts.
const stepsPerNode = 8

// recorder numbers events as the Executor does, from 1 without gaps, and
// keeps a progress that grows with the node steps done.
type recorder struct {
	events    []*rebalancerv1.ExecutionEvent
	stepsDone int
}

func (r *recorder) add(kind rebalancerv1.EventKind, node string, batch int32, details map[string]string, format string, args ...any) {
	seq := uint64(len(r.events) + 1)
	r.events = append(r.events, &rebalancerv1.ExecutionEvent{
		ExecutionId: ExecutionID, PlanId: PlanID, NodeGroup: Group, Namespace: Namespace,
		Sequence: seq, Time: timestamppb.New(Start.Add(time.Duration(seq) * 5 * time.Second)),
		Kind: kind, NodeName: node, BatchNumber: batch, Message: fmt.Sprintf(format, args...), Details: details,
		ProgressPercent: int32(r.stepsDone * 100 / (stepsPerNode * len(OldNodes))), //nolint:gosec // at most 100
	})
}

// step adds a node event that moves the replacement one step on.
func (r *recorder) step(kind rebalancerv1.EventKind, node string, batch int32, details map[string]string, format string, args ...any) {
	r.stepsDone++
	r.add(kind, node, batch, details, format, args...)
}

func (r *recorder) start() {
	r.add(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_ACCEPTED, "", 0, map[string]string{"requested_by": "ops"},
		"Plan %s accepted: 3 nodes of %s/%s to compute-4", PlanID, Namespace, Group)
	r.add(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED, "", 0, map[string]string{"strategy": "REBALANCE_STRATEGY_ROLLING"},
		"Execution started on executor-0: 3 nodes, REBALANCE_STRATEGY_ROLLING")
}

// readyReplacement runs a batch up to the old node cordoned and draining.
func (r *recorder) readyReplacement(old string, batch int32) {
	newNode := NewNode(old)
	r.add(rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED, "", batch, map[string]string{"phase": "BATCH_PHASE_REPLACE"},
		"Batch %d (replace) of 1 nodes started", batch)
	r.step(rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING, old, batch, map[string]string{"hostname": newNode},
		"Creating replacement VM %s for %s", newNode, old)
	r.step(rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED, old, batch, map[string]string{"hostname": newNode, "offering": "compute-4"},
		"Replacement VM %s (compute-4) exists for %s", newNode, old)
	r.add(rebalancerv1.EventKind_EVENT_KIND_NODE_JOINED, old, batch, map[string]string{"node": newNode},
		"Replacement node %s joined for %s", newNode, old)
	r.step(rebalancerv1.EventKind_EVENT_KIND_NODE_READY, old, batch, map[string]string{"node": newNode, "offering": "compute-4"},
		"Replacement node %s is Ready for %s", newNode, old)
	r.step(rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED, old, batch, nil, "Cordoned %s", old)
	r.step(rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED, old, batch, nil, "Draining %s", old)
}

// finishReplacement evicts, verifies and terminates, completing the batch.
func (r *recorder) finishReplacement(old string, batch int32) {
	pod := "shop/api-" + old[len(old)-1:]
	r.add(rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED, old, batch, map[string]string{"pod": pod, "node": old},
		"Evicted %s from %s", pod, old)
	r.step(rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED, old, batch, nil, "%s is drained", old)
	r.add(rebalancerv1.EventKind_EVENT_KIND_WORKLOADS_VERIFIED, old, batch, map[string]string{"workloads": "shop/api"},
		"Workloads moved off %s are available again: shop/api", old)
	r.step(rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING, old, batch, map[string]string{"vm": "vm-" + old},
		"Deleting VM vm-%s and Node %s", old, old)
	r.step(rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED, old, batch, map[string]string{"vm": "vm-" + old},
		"VM vm-%s and Node %s are gone", old, old)
	r.add(rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED, "", batch, nil, "Batch %d completed", batch)
}

func (r *recorder) end(kind rebalancerv1.EventKind, status rebalancerv1.ExecutionStatus, word string, savings, replaced, failed int) {
	r.add(rebalancerv1.EventKind_EVENT_KIND_SAVINGS_VERIFIED, "", 0, nil,
		"Realized monthly savings from the offerings now running: %d cents", savings)
	r.add(rebalancerv1.EventKind_EVENT_KIND_NODE_GROUP_UPDATED, "", 0, nil, "NodeGroup %s/%s status updated", Namespace, Group)
	r.add(kind, "", 0, map[string]string{"status": status.String()},
		"Execution ended %s: %d of 3 nodes replaced, %d failed", word, replaced, failed)
}

// RollingSuccess is a rolling execution replacing its three nodes one
// batch after another; the second drain meets one PDB refusal first.
func RollingSuccess() []*rebalancerv1.ExecutionEvent {
	r := &recorder{}
	r.start()
	for i, old := range OldNodes {
		batch := int32(i + 1) //nolint:gosec // three batches
		r.readyReplacement(old, batch)
		if old == "web-b" {
			r.add(rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED, old, batch,
				map[string]string{"pod": "shop/api-b", "pdb": "shop/api", "node": old},
				"Eviction of shop/api-b refused by PDB shop/api; retrying with backoff")
		}
		r.finishReplacement(old, batch)
	}
	r.end(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, "successfully", 7200, 3, 0)
	return r.events
}

// FailedWithRollback replaces web-a, then web-b's drain times out on a PDB,
// the node fails, and the rollback undoes batch 2 and leaves web-c alone.
func FailedWithRollback() []*rebalancerv1.ExecutionEvent {
	r := &recorder{}
	r.start()
	r.readyReplacement("web-a", 1)
	r.finishReplacement("web-a", 1)
	r.readyReplacement("web-b", 2)
	blocked := map[string]string{"pod": "shop/db-0", "pdb": "shop/db", "node": "web-b"}
	for range 2 {
		r.add(rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED, "web-b", 2, blocked,
			"Eviction of shop/db-0 refused by PDB shop/db; retrying with backoff")
	}
	r.add(rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT, "web-b", 2, map[string]string{"pods": "shop/db-0", "pdbs": "shop/db"},
		"Drain of web-b timed out with pods shop/db-0 blocked by PDBs shop/db; rolling back")
	r.add(rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED, "web-b", 2,
		map[string]string{"phase": "NODE_PHASE_DRAINING", "pods": "shop/db-0", "pdbs": "shop/db"},
		"Replacing web-b failed while draining: drain timed out")
	r.add(rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED, "", 2, nil, "Batch 2 failed: web-b: drain timed out")
	r.add(rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STARTED, "", 0, nil, "Rolling back: 4 steps planned")
	r.add(rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STEP, "web-b", 2, map[string]string{"action": "ROLLBACK_ACTION_UNCORDON_NODE"},
		"Rollback step 2: uncordoned web-b")
	r.add(rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STEP, "web-b", 2, map[string]string{"action": "ROLLBACK_ACTION_DELETE_NEW_NODE"},
		"Rollback step 3: deleted replacement web-b-r1")
	r.add(rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STEP, "web-a", 1, map[string]string{"action": "ROLLBACK_ACTION_KEEP_REPLACEMENT"},
		"Rollback step 4: kept replacement web-a-r1")
	r.add(rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED, "", 0, nil, "Rollback completed")
	r.end(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, "rolled back", 2400, 1, 1)
	return r.events
}
