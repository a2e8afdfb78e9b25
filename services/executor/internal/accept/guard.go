package accept

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/policy"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// DefaultMaxPlanAge is how old a plan may be when it starts, unless the
// Executor is told otherwise: the analysis behind it (the candidates, the
// PDBs, the prices) is that old.
const DefaultMaxPlanAge = time.Hour

// clockSkew is how far in the future a plan's created_at may be, for
// clocks that disagree; a plan dated later would never grow old.
const clockSkew = 5 * time.Minute

// At is the moment the live guards judge a plan at, and what they judge.
type At struct {
	// Now is the time on the Executor's clock.
	Now time.Time
	// Start: the plan starts running now (accepted without approval,
	// approved, or a start after either), so it must be younger than
	// MaxPlanAge.
	Start bool
	// MaxPlanAge bounds the plan's age at Start; 0 means no bound.
	MaxPlanAge time.Duration
	// Schedule: a batch may start now, so the group's maintenance windows
	// and peak hours must allow it.
	Schedule bool
	// Nodes are the old nodes about to be worked on, held to the cluster:
	// each exists, is in the group and runs the plan's VM.
	Nodes []*rebalancerv1.CandidateNode
}

// Intact refuses a stored plan that no longer passes the rules it was
// accepted under (its verdict, the plan rules, its ID): its record was
// altered after acceptance, so nothing it says may be acted on.
func Intact(p *rebalancerv1.RebalancePlan) error {
	if err := Verdict(p); err != nil {
		return err
	}
	vs := plancheck.Check(p)
	if len(vs) == 0 {
		return nil
	}
	r := &Refusal{Rule: RuleStoredPlan, Reason: fmt.Sprintf(
		"the stored plan %s breaks %d of the plan rules, so its record was altered after acceptance: %s: %s",
		p.GetPlanId(), len(vs), vs[0].Field, vs[0].Description)}
	for _, v := range vs {
		r.Details = append(r.Details, Detail{Kind: DetailField, Subject: v.Field, Description: v.Description})
	}
	return r
}

// Guard returns the plan's NodeGroup when the accepted plan may go on at
// at: the group's identity, the nodes in at.Nodes, then the group's live
// guards. Every refusal is a *Refusal; another error means the cluster
// could not be read.
func (c Checker) Guard(ctx context.Context, p *rebalancerv1.RebalancePlan, at At) (*v1alpha1.NodeGroup, error) {
	group, err := c.group(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := c.guardNodes(ctx, p, at.Nodes); err != nil {
		return nil, err
	}
	return group, judge(p, group, at)
}

// group reads the plan's NodeGroup: the one of its namespace and name
// whose UID the plan carries. A group deleted and created again under the
// name has another UID; so has a group of the same name in another
// namespace, which a plan moved there would otherwise pass for.
func (c Checker) group(ctx context.Context, p *rebalancerv1.RebalancePlan) (*v1alpha1.NodeGroup, error) {
	name := p.GetNamespace() + "/" + p.GetNodeGroup()
	if p.GetNodeGroupUid() == "" {
		return nil, &Refusal{Rule: RuleNodeGroup, Reason: fmt.Sprintf(
			"the plan names no NodeGroup UID, so it cannot be told apart from a plan for another group named %s; plans from the Planner carry it", name)}
	}
	group, err := c.Groups.NodeGroups(p.GetNamespace()).Get(ctx, p.GetNodeGroup(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, &Refusal{Rule: RuleNodeGroup, Reason: fmt.Sprintf("NodeGroup %s does not exist", name)}
	}
	if err != nil {
		return nil, fmt.Errorf("read NodeGroup %s: %w", name, err)
	}
	if string(group.UID) != p.GetNodeGroupUid() {
		return nil, &Refusal{Rule: RuleNodeGroup, Reason: fmt.Sprintf(
			"NodeGroup %s has UID %s, but the plan was made for UID %s: another group of that name (recreated, or in another namespace)",
			name, group.UID, p.GetNodeGroupUid())}
	}
	return group, nil
}

// guardNodes refuses when a node about to be worked on is gone, left the
// group, or runs another VM than the plan's.
func (c Checker) guardNodes(ctx context.Context, p *rebalancerv1.RebalancePlan, nodes []*rebalancerv1.CandidateNode) error {
	r := &Refusal{Rule: RuleNodes}
	var said []string
	for _, n := range nodes {
		node, err := c.Kube.CoreV1().Nodes().Get(ctx, n.GetNodeName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			r.Details = append(r.Details, Detail{Kind: DetailNode, Subject: n.GetNodeName(), Description: "deleted"})
			said = append(said, n.GetNodeName()+" was deleted")
			continue
		}
		if err != nil {
			return fmt.Errorf("read node %s: %w", n.GetNodeName(), err)
		}
		for _, pr := range nodeProblems(p.GetNodeGroup(), n, node) {
			r.Details = append(r.Details, Detail{Kind: DetailNode, Subject: n.GetNodeName(), Description: pr.description})
			said = append(said, pr.description)
		}
	}
	if len(said) == 0 {
		return nil
	}
	r.Reason = fmt.Sprintf("nodes of node group %s/%s changed since the plan was made: %s",
		p.GetNamespace(), p.GetNodeGroup(), strings.Join(said, "; "))
	return r
}

// judge holds the plan to the group's live state: rebalancing enabled,
// its policy a ceiling, then the plan's age and the schedule when at asks
// for them. The rules that fail an execution come before the schedule,
// which only makes it wait. The group's lock is the engine's (it needs
// the store to tell a stale lock); Busy is its refusal.
func judge(p *rebalancerv1.RebalancePlan, group *v1alpha1.NodeGroup, at At) error {
	name := group.Namespace + "/" + group.Name
	live := policy.FromSpec(group.Spec.Rebalancing)
	if !live.GetEnabled() {
		return &Refusal{Rule: RuleEnabled, Reason: "rebalancing is disabled for node group " + name}
	}
	if err := ceiling(p, live, name); err != nil {
		return err
	}
	if at.Start {
		if err := age(p, at); err != nil {
			return err
		}
	}
	if at.Schedule {
		return schedule(live, name, at.Now)
	}
	return nil
}

// ceiling refuses a plan looser than the group's live policy, naming each
// field with the plan's value and the group's.
func ceiling(p *rebalancerv1.RebalancePlan, live *rebalancerv1.RebalancePolicy, name string) error {
	loose := plancheck.PlanLoosened(live, p)
	if len(loose) == 0 {
		return nil
	}
	r := &Refusal{Rule: RuleCeiling}
	said := make([]string, len(loose))
	for i, l := range loose {
		r.Details = append(r.Details, Detail{Kind: DetailLoosening, Subject: l.Field,
			Description: fmt.Sprintf("%s in the plan, %s in the group: %s", l.Plan, l.Group, l.Why)})
		said[i] = l.String()
	}
	r.Reason = fmt.Sprintf("a plan may be stricter than node group %s's live policy, never looser: %s", name, strings.Join(said, "; "))
	return r
}

// Busy is the refusal of a plan for group, which the execution of holder
// (another plan's, or another installation's) holds.
func Busy(group *v1alpha1.NodeGroup, holder *v1alpha1.ActiveExecution) *Refusal {
	id := holder.ExecutionID
	if id == "" {
		id = "of plan " + holder.PlanID
	}
	where := ""
	if holder.Installation != "" {
		where = " (installation " + holder.Installation + ")"
	}
	return &Refusal{Rule: RuleOneAtATime,
		Reason: fmt.Sprintf("node group %s/%s is being rebalanced by execution %s%s, since %s; one execution per group at a time",
			group.Namespace, group.Name, id, where, holder.StartTime.UTC().Format(time.RFC3339)),
		Details: []Detail{{Kind: DetailExecution, Subject: id, Description: "holds the group, plan " + holder.PlanID + where}}}
}

// age refuses a plan older than at.MaxPlanAge, or dated in the future.
func age(p *rebalancerv1.RebalancePlan, at At) error {
	if at.MaxPlanAge <= 0 {
		return nil
	}
	made := p.GetCreatedAt().AsTime()
	if made.After(at.Now.Add(clockSkew)) {
		return &Refusal{Rule: RulePlanAge, Reason: fmt.Sprintf("plan %s is dated %s, later than now (%s): its age cannot be told",
			p.GetPlanId(), made.UTC().Format(time.RFC3339), at.Now.UTC().Format(time.RFC3339))}
	}
	if old := at.Now.Sub(made); old > at.MaxPlanAge {
		return &Refusal{Rule: RulePlanAge, Reason: fmt.Sprintf(
			"plan %s was made at %s, %s ago, and may start only within %s of its analysis; analyse and plan again",
			p.GetPlanId(), made.UTC().Format(time.RFC3339), old.Round(time.Second), at.MaxPlanAge)}
	}
	return nil
}
