package e2e

import (
	"cmp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// planSpec is what a test varies; planFor fills in the rest as the
// Planner would, and checks the plan with the shared rules.
type planSpec struct {
	strategy     rebalancerv1.RebalanceStrategy
	replace      []*corev1.Node
	groupSize    int
	target       string
	alternatives []string
	drainTimeout time.Duration
	onTimeout    rebalancerv1.DrainTimeoutAction
	// provisionTimeout defaults to 30 s.
	provisionTimeout time.Duration
	// group is the NodeGroup; it defaults to the one named after the namespace.
	group string
	// rollout is the policy's rollout_single_replica_deployments; nil
	// leaves it unset, which the Executor reads as the default, on.
	rollout *bool
}

const current = "standard-8"

func planFor(t testing.TB, ns string, s planSpec) *rebalancerv1.RebalancePlan {
	t.Helper()
	n := int32(len(s.replace))
	group := cmp.Or(s.group, ns)
	if s.provisionTimeout == 0 {
		s.provisionTimeout = 30 * time.Second
	}
	policy := &rebalancerv1.RebalancePolicy{
		Enabled: true, Strategy: s.strategy, MaxConcurrent: n, BatchSize: n, MaxSurge: n,
		DrainTimeout: durationpb.New(s.drainTimeout), ProvisionTimeout: durationpb.New(s.provisionTimeout),
		MinHealthyPercent: 100, RespectPdbs: true, DrainTimeoutAction: s.onTimeout,
		RolloutSingleReplicaDeployments: s.rollout,
	}
	p := &rebalancerv1.RebalancePlan{
		AnalysisId: "analysis-" + group, NodeGroup: group, Namespace: ns, Strategy: s.strategy, Policy: policy,
		Opportunity: &rebalancerv1.Opportunity{Id: "opp-" + group, CurrentOffering: current, TargetOffering: s.target,
			AlternativeOfferings: s.alternatives, Reason: "e2e"},
		TotalNodes: n, GroupSize: int32(s.groupSize), ReadyNodesAtStart: int32(s.groupSize),
		MinHealthyNodes: plancheck.MinHealthyNodes(100, int32(s.groupSize)),
		CreatedAt:       timestamppb.New(time.Unix(1_800_000_000, 0)), EstimatedDuration: durationpb.New(time.Minute),
	}
	candidates := make([]*rebalancerv1.CandidateNode, len(s.replace))
	for i, node := range s.replace {
		vm, _ := v1alpha1.VMIdentifier(node.Spec.ProviderID)
		candidates[i] = &rebalancerv1.CandidateNode{NodeName: node.Name, VmIdentifier: vm, CurrentOffering: current,
			TargetOffering: s.target, SafeToRebalance: true}
	}
	p.Batches, p.MaxConcurrent, p.MaxSurge = batchesFor(s.strategy, candidates)
	p.RollbackPlan = rollbackFor(p.Batches)
	id, err := plancheck.PlanID(p)
	require.NoError(t, err)
	p.PlanId = id
	require.Empty(t, plancheck.Check(p), "the test's plan keeps the shared plan rules")
	return p
}

// batchesFor shapes the batches: rolling one node at a time in a chain,
// surge every node in one batch, blue-green provision, drain, terminate.
func batchesFor(s rebalancerv1.RebalanceStrategy, c []*rebalancerv1.CandidateNode) ([]*rebalancerv1.NodeBatch, int32, int32) {
	n := int32(len(c))
	batch := func(number int32, phase rebalancerv1.BatchPhase, nodes []*rebalancerv1.CandidateNode, deps ...int32) *rebalancerv1.NodeBatch {
		return &rebalancerv1.NodeBatch{BatchNumber: number, Phase: phase, Nodes: nodes, DependsOn: deps,
			EstimatedDuration: durationpb.New(time.Minute)}
	}
	switch s {
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING:
		var out []*rebalancerv1.NodeBatch
		for i, cand := range c {
			b := batch(int32(i+1), rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE, []*rebalancerv1.CandidateNode{cand})
			if i > 0 {
				b.DependsOn = []int32{int32(i)}
			}
			out = append(out, b)
		}
		return out, 1, 1
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE:
		return []*rebalancerv1.NodeBatch{batch(1, rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE, c)}, n, n
	}
	return []*rebalancerv1.NodeBatch{
		batch(1, rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION, c),
		batch(2, rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN, c, 1),
		batch(3, rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE, c, 2),
	}, n, n
}

// rollbackFor writes the Planner's rollback shape: stop, every uncordon,
// every delete, every keep, verify.
func rollbackFor(batches []*rebalancerv1.NodeBatch) *rebalancerv1.RollbackPlan {
	rb := &rebalancerv1.RollbackPlan{Automatic: true}
	add := func(a rebalancerv1.RollbackAction, node string, batch int32) {
		rb.Steps = append(rb.Steps, &rebalancerv1.RollbackStep{Order: int32(len(rb.Steps) + 1), Action: a, NodeName: node, BatchNumber: batch})
	}
	add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_STOP_EXECUTION, "", 0)
	for _, a := range []rebalancerv1.RollbackAction{rebalancerv1.RollbackAction_ROLLBACK_ACTION_UNCORDON_NODE,
		rebalancerv1.RollbackAction_ROLLBACK_ACTION_DELETE_NEW_NODE, rebalancerv1.RollbackAction_ROLLBACK_ACTION_KEEP_REPLACEMENT} {
		for _, n := range batches[0].GetNodes() {
			add(a, n.GetNodeName(), batches[0].GetBatchNumber())
		}
		for _, b := range batches[1:] {
			if b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE {
				for _, n := range b.GetNodes() {
					add(a, n.GetNodeName(), b.GetBatchNumber())
				}
			}
		}
	}
	add(rebalancerv1.RollbackAction_ROLLBACK_ACTION_VERIFY_WORKLOADS, "", 0)
	return rb
}
