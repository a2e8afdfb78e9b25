// Package plantest makes plans for tests the way production does: the
// group's policy set on its NodeGroup, a RebalanceAnalysis of the group
// and of the test's nodes as the Analyzer would write it, and the real
// Planner binary planning it over gRPC. A test never runs a plan the
// Planner would not write, nor one looser than its group.
//
//	planner := plantest.Start(t, plannerBinary)
//	plan := planner.Plan(t, sb.Autoscaler, plantest.Spec{Namespace: ns, Group: ns,
//		Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
//		Replace: nodes, Target: "compute-4", DrainTimeout: time.Minute})
package plantest

import (
	"cmp"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/policy"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Spec is what a test varies. GroupPolicy is the group's policy it
// implies, Request the analysis and overrides that ask for its plan.
type Spec struct {
	Namespace, Group string
	// Strategy is the operator's choice for this plan (an override).
	Strategy rebalancerv1.RebalanceStrategy
	// Replace are the nodes to replace, in this order: the candidates safe
	// to rebalance, highest priority first.
	Replace []*corev1.Node
	// Keep are the group's other Ready, schedulable nodes: candidates not
	// safe to rebalance, which count towards the capacity floor.
	Keep []*corev1.Node
	// GroupSize is the group's node count; default Replace and Keep together.
	GroupSize int
	// Current is the offering the nodes run, default "standard-8"; Target
	// the one to move to, with Alternatives to fall back to (which the
	// group's policy then allows).
	Current, Target string
	Alternatives    []string
	// DrainTimeout (default 300 s) and ProvisionTimeout (default 30 s),
	// OnTimeout (unset: roll back) and Rollout (nil: on) are the group's.
	DrainTimeout, ProvisionTimeout time.Duration
	OnTimeout                      rebalancerv1.DrainTimeoutAction
	Rollout                        *bool
	// IgnorePDBs turns the group's respectPDBs off: only then may a drain
	// that timed out under OnTimeout FORCE delete the pods left.
	IgnorePDBs bool
	// RequireApproval asks for a plan that waits for an approval.
	RequireApproval bool
	// Concurrency, when set, makes a rolling plan replace that many nodes
	// at once (max concurrent, batch size and surge); unset, one.
	Concurrency int32
	// Canary turns the group's canary on, soaking CanarySoak; BatchSoak is
	// its blue-green batch soak; HealthGate its health query.
	Canary                bool
	CanarySoak, BatchSoak time.Duration
	HealthGate            *v1alpha1.HealthGate
}

func (s Spec) withDefaults() Spec {
	s.Current = cmp.Or(s.Current, "standard-8")
	s.DrainTimeout = cmp.Or(s.DrainTimeout, 300*time.Second)
	s.ProvisionTimeout = cmp.Or(s.ProvisionTimeout, 30*time.Second)
	s.GroupSize = cmp.Or(s.GroupSize, len(s.Replace)+len(s.Keep))
	return s
}

// limit is the group's max_concurrent, batch_size and max_surge: room for
// every node of the plan at once, which each strategy's overrides narrow.
func (s Spec) limit() int32 { return int32(max(len(s.Replace), 1)) }

// GroupPolicy is the NodeGroup's spec.rebalancing under which s is
// planned: a capacity floor of 100 %, PDBs respected unless s ignores
// them, the timeouts and actions of s, and limits that fit every node of
// the plan at once.
func (s Spec) GroupPolicy() v1alpha1.RebalancingPolicy {
	s = s.withDefaults()
	action := v1alpha1.DrainTimeoutRollback
	if s.OnTimeout == rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE {
		action = v1alpha1.DrainTimeoutForce
	}
	return v1alpha1.RebalancingPolicy{
		Enabled: proto.Bool(true), MaxConcurrent: s.limit(), BatchSize: s.limit(), MaxSurge: s.limit(),
		DrainTimeout: &metav1.Duration{Duration: s.DrainTimeout}, ProvisionTimeout: &metav1.Duration{Duration: s.ProvisionTimeout},
		DrainTimeoutAction: action, MinHealthyPercent: proto.Int32(100), RespectPDBs: proto.Bool(!s.IgnorePDBs),
		RolloutSingleReplicaDeployments: s.Rollout, AlternativeOfferings: s.Alternatives,
		Canary: s.canary(), BatchSoakTime: optionalDuration(s.BatchSoak), HealthGate: s.HealthGate,
	}
}

func (s Spec) canary() *v1alpha1.CanaryPolicy {
	if !s.Canary {
		return nil
	}
	return &v1alpha1.CanaryPolicy{Enabled: true, Soak: optionalDuration(s.CanarySoak)}
}

func optionalDuration(d time.Duration) *metav1.Duration {
	if d <= 0 {
		return nil
	}
	return &metav1.Duration{Duration: d}
}

// Request is the CreatePlan request for s on group (read after its policy
// was set to GroupPolicy): an analysis made now (the plan's created_at,
// which the Executor holds to its maximum plan age), recommending to
// proceed, carrying the group's policy with the CRD's defaults applied as
// the Analyzer sends it; and overrides that only narrow it, shaping the
// batches the way the tests count on: rolling one node at a time in a chain; surge
// every node in one batch; blue-green one provision, one drain and one
// terminate batch.
func (s Spec) Request(group *v1alpha1.NodeGroup) *rebalancerv1.CreatePlanRequest {
	s = s.withDefaults()
	a := &rebalancerv1.RebalanceAnalysis{
		AnalysisId: "analysis-" + s.Group, NodeGroup: s.Group, Namespace: s.Namespace,
		NodeGroupUid: string(group.UID), NodeGroupGeneration: group.Generation, Datacenter: group.Spec.Datacenter,
		TotalNodes: int32(s.GroupSize),
		Opportunity: &rebalancerv1.Opportunity{Id: "opp-" + s.Group, CurrentOffering: s.Current, TargetOffering: s.Target,
			AlternativeOfferings: s.Alternatives, Reason: "test"},
		RecommendedAction: rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED,
		AnalyzedAt:        timestamppb.Now(),
		Policy:            s.policy(),
		StepTimings:       StepTimingsOf(group.Status.LastRebalanceTimings),
	}
	for i, n := range s.Replace {
		c := s.candidate(n, "the test replaces it")
		c.SafeToRebalance, c.PriorityScore = true, float64(len(s.Replace)-i)
		a.CandidateNodes = append(a.CandidateNodes, c)
	}
	for _, n := range s.Keep {
		a.CandidateNodes = append(a.CandidateNodes, s.candidate(n, "the test keeps it"))
	}
	return &rebalancerv1.CreatePlanRequest{Analysis: a, Overrides: s.overrides()}
}

// policy is GroupPolicy as the Analyzer reports it: every field set, the
// CRD's defaults for those GroupPolicy leaves unset.
func (s Spec) policy() *rebalancerv1.RebalancePolicy {
	group := policy.FromSpec(s.GroupPolicy())
	action := rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK
	if s.OnTimeout == rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE {
		action = s.OnTimeout
	}
	return &rebalancerv1.RebalancePolicy{
		Enabled: true, Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		MaxConcurrent: s.limit(), BatchSize: s.limit(), MaxSurge: s.limit(),
		DrainTimeout: durationpb.New(s.DrainTimeout), ProvisionTimeout: durationpb.New(s.ProvisionTimeout),
		CooldownPeriod: durationpb.New(time.Hour), MinHealthyPercent: 100, MinSavingsPercent: 10,
		SkipNodesWithLocalStorage: true, RespectPdbs: !s.IgnorePDBs, TimeZone: "UTC", DrainTimeoutAction: action,
		RolloutSingleReplicaDeployments: proto.Bool(s.Rollout == nil || *s.Rollout),
		AlternativeOfferings:            s.Alternatives,
		// The canary, the soaks and the health query as the group's policy
		// converts them.
		Canary: group.GetCanary(), CanarySoak: group.GetCanarySoak(), BatchSoakTime: group.GetBatchSoakTime(),
		HealthGate: group.GetHealthGate(),
	}
}

func (s Spec) candidate(n *corev1.Node, reason string) *rebalancerv1.CandidateNode {
	vm, _ := v1alpha1.VMIdentifier(n.Spec.ProviderID)
	return &rebalancerv1.CandidateNode{NodeName: n.Name, VmIdentifier: vm, CurrentOffering: s.Current,
		TargetOffering: s.Target, Reason: reason}
}

// overrides pick the strategy, narrow the limits to give it its shape,
// and ask for an approval when s does.
func (s Spec) overrides() *rebalancerv1.PlanOverrides {
	o := &rebalancerv1.PlanOverrides{Strategy: s.Strategy}
	if s.Strategy == rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING {
		n := max(s.Concurrency, 1)
		o.BatchSize, o.MaxConcurrent, o.MaxSurge = proto.Int32(n), proto.Int32(n), proto.Int32(n)
	}
	if s.RequireApproval {
		o.RequireApproval = proto.Bool(true)
	}
	return o
}

// StepTimingsOf is what the Analyzer copies from a group's status
// (services/analyzer/internal/analysis/timings.go): the step times of its
// last successful rebalance, nil when it has none.
func StepTimingsOf(t *v1alpha1.RebalanceTimings) *rebalancerv1.StepTimings {
	if t == nil || t.Nodes <= 0 {
		return nil
	}
	return &rebalancerv1.StepTimings{Provision: durationpb.New(t.Provision.Duration), Drain: durationpb.New(t.Drain.Duration),
		Terminate: durationpb.New(t.Terminate.Duration), SampleNodes: t.Nodes}
}
