package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// benchRecord is a running execution of n candidates, each with a few
// workloads, as the Planner fills a plan: the plan is most of the record.
func benchRecord(n int) *Record {
	at := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	plan := &rebalancerv1.RebalancePlan{PlanId: "plan-0123456789abcdef0123", AnalysisId: "analysis-0123456789",
		NodeGroup: "web", Namespace: "shop", TotalNodes: int32(n), MaxConcurrent: 5, GroupSize: int32(n),
		RollbackPlan: &rebalancerv1.RollbackPlan{Automatic: true}, EstimatedDuration: durationpb.New(time.Hour)}
	state := &rebalancerv1.ExecutionState{ExecutionId: "exec-0123456789abcdef0123", PlanId: plan.PlanId,
		NodeGroup: "web", Namespace: "shop", Status: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING}
	r := &Record{State: state, Plan: plan, AcceptedAt: at, Lease: Lease{Owner: "executor-0", Expires: at.Add(time.Minute)}}
	for b := range n / 5 {
		batch := &rebalancerv1.NodeBatch{BatchNumber: int32(b + 1)}
		for i := range 5 {
			name := fmt.Sprintf("web-%03d", b*5+i)
			c := &rebalancerv1.CandidateNode{NodeName: name, VmIdentifier: "vm-" + name, CurrentOffering: "standard-8",
				TargetOffering: "compute-4", Age: durationpb.New(90 * 24 * time.Hour), PriorityScore: 0.8,
				SafeToRebalance: true, Reason: "cheaper offering carries its pods", CurrentMonthlyPriceCents: 4800,
				TargetMonthlyPriceCents: 2400}
			for w := range 8 {
				c.Workloads = append(c.Workloads, &rebalancerv1.Workload{Namespace: "shop", PodName: fmt.Sprintf("api-%d-7d9f8c-%s", w, name),
					OwnerKind: "ReplicaSet", OwnerName: fmt.Sprintf("api-%d-7d9f8c", w), Replicas: 3, PdbNames: []string{fmt.Sprintf("api-%d", w)},
					CpuRequestMillis: 250, MemoryRequestBytes: 256 << 20})
			}
			batch.Nodes = append(batch.Nodes, c)
			state.Nodes = append(state.Nodes, &rebalancerv1.NodeExecution{OldNode: name, OldVmIdentifier: "vm-" + name,
				NewHostname: "web-new-" + name, BatchNumber: batch.BatchNumber, Phase: rebalancerv1.NodePhase_NODE_PHASE_PENDING})
			r.Book.NodeBook(name).ProvisionStartedAt = at
		}
		plan.Batches = append(plan.Batches, batch)
	}
	return r
}

// BenchmarkRecordUpdate is one node step's write of an execution of 100
// candidates: the change applied to a copy of the record (as
// execution.updateLocked does) and written over its revision. bytes/update
// is what the write carries to the bucket: the head and the one part that
// changed (parts.go).
func BenchmarkRecordUpdate(b *testing.B) {
	kv := openTestKV(b)
	rec, err := kv.Create(b.Context(), benchRecord(100))
	require.NoError(b, err)
	b.ReportAllocs()
	var written int
	i := 0
	for b.Loop() {
		next := rec.Clone()
		node := next.State.Nodes[i%100]
		node.Phase = rebalancerv1.NodePhase_NODE_PHASE_DRAINING
		next.Book.NodeBook(node.OldNode).DrainStartedAt = time.Unix(int64(i), 0)
		head, parts, ok, err := split(next)
		require.NoError(b, err)
		require.True(b, ok)
		written = len(head) + len(parts[node.OldNode])
		rec, err = kv.Update(b.Context(), next)
		require.NoError(b, err)
		i++
	}
	b.ReportMetric(float64(written), "bytes/update")
}
