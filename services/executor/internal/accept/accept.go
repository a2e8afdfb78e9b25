// Package accept decides whether the Executor takes a plan, and whether
// an accepted plan may go on. At acceptance: the analysis' verdict, the
// shared plan rules (libs/plancheck), the plan against the cluster, then
// the live guards. At approval, resumption, before each batch and when a
// replica claims a stored execution: the live guards (guard.go), which
// hold the plan to the NodeGroup as it is now (its identity, whether
// rebalancing is enabled, its policy as a ceiling, its lock, its schedule)
// and to the nodes about to be worked on. A malformed plan is an
// *apivalidate.Error (InvalidArgument with field violations), a plan that
// may not run a *Refusal (FailedPrecondition); either way nothing has been
// touched.
package accept

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/libs/plansign"
)

// controlPlaneLabels mark nodes the rebalancer never replaces.
var controlPlaneLabels = []string{"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"}

// Checker checks plans against the cluster.
type Checker struct {
	Kube   kubernetes.Interface
	Groups autoscaler.Interface
	// PlanKeys are the Planner public keys plans must be signed with;
	// none accepts unsigned plans (see CheckSignature).
	PlanKeys *plansign.Verifier
	// HealthQueries says whether the Executor can evaluate a group's
	// health query (it has --prometheus-url); without, a plan of a group
	// that sets one is refused rather than failing its first soak.
	HealthQueries bool
}

// Check returns the plan's NodeGroup when the plan may be accepted at at:
// its verdict (a *Refusal), the plan rules and the plan's nodes against
// the cluster (an *apivalidate.Error), then the group's live guards (a
// *Refusal). Another error means the cluster could not be read (the
// caller answers Unavailable). The group's lock is the engine's to take.
func (c Checker) Check(ctx context.Context, p *rebalancerv1.RebalancePlan, at At) (*v1alpha1.NodeGroup, error) {
	if err := CheckSignature(c.PlanKeys, p); err != nil {
		return nil, err
	}
	if err := Verdict(p); err != nil {
		return nil, err
	}
	v := &violations{}
	for _, pv := range plancheck.Check(p) {
		v.add(pv.Field, "%s", pv.Description)
	}
	if v.any() {
		return nil, v.err()
	}
	group, err := c.group(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := c.checkNodes(ctx, v, p); err != nil {
		return nil, err
	}
	if v.any() {
		return nil, v.err()
	}
	if err := judge(p, group, at); err != nil {
		return group, err
	}
	return group, c.queryable(group)
}

// queryable refuses a group whose soaks need a Prometheus this Executor
// was not given.
func (c Checker) queryable(group *v1alpha1.NodeGroup) error {
	g := group.Spec.Rebalancing.HealthGate
	if c.HealthQueries || g == nil || g.PrometheusQuery == "" {
		return nil
	}
	return &Refusal{Rule: RuleHealthQuery, Reason: fmt.Sprintf(
		"node group %s/%s's soaks evaluate the health query %q, but this executor has no --prometheus-url to evaluate it against",
		group.Namespace, group.Name, g.PrometheusQuery)}
}

// checkNodes holds each planned node to the cluster: it exists, belongs to
// the plan's group, is no control-plane node, and runs the VM the plan
// would delete. Each node is checked once, at its first place in the plan.
func (c Checker) checkNodes(ctx context.Context, v *violations, p *rebalancerv1.RebalancePlan) error {
	members, err := c.groupMembers(ctx, p.GetNodeGroup())
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, b := range p.GetBatches() {
		for j, n := range b.GetNodes() {
			if seen[n.GetNodeName()] {
				continue
			}
			seen[n.GetNodeName()] = true
			field := fmt.Sprintf("plan.batches[%d].nodes[%d]", i, j)
			node, err := members.get(ctx, c.Kube, n.GetNodeName())
			if apierrors.IsNotFound(err) {
				v.add(field+".node_name", "no node %q in the cluster", n.GetNodeName())
				continue
			}
			if err != nil {
				return fmt.Errorf("read node %s: %w", n.GetNodeName(), err)
			}
			checkNode(v, field, p.GetNodeGroup(), n, node)
		}
	}
	return nil
}

func checkNode(v *violations, field, group string, n *rebalancerv1.CandidateNode, node *corev1.Node) {
	for _, p := range nodeProblems(group, n, node) {
		v.add(field+"."+p.field, "%s", p.description)
	}
}

// nodeProblem is one way a node differs from what the plan says of it.
type nodeProblem struct{ field, description string }

// nodeProblems holds a planned node to the cluster's node: in the group,
// no control-plane node, running the VM the plan would delete.
func nodeProblems(group string, n *rebalancerv1.CandidateNode, node *corev1.Node) []nodeProblem {
	var out []nodeProblem
	if got := node.Labels[v1alpha1.LabelNodeGroup]; got != group {
		out = append(out, nodeProblem{"node_name", fmt.Sprintf("node %q belongs to group %q, not %q", node.Name, got, group)})
	}
	for _, l := range controlPlaneLabels {
		if _, ok := node.Labels[l]; ok {
			out = append(out, nodeProblem{"node_name", fmt.Sprintf("node %q is a control-plane node", node.Name)})
		}
	}
	if vm, _ := v1alpha1.VMIdentifier(node.Spec.ProviderID); vm != n.GetVmIdentifier() {
		out = append(out, nodeProblem{"vm_identifier", fmt.Sprintf("is %q but node %q runs VM %q", n.GetVmIdentifier(), node.Name, vm)})
	}
	return out
}

type violations struct {
	list []*errdetails.BadRequest_FieldViolation
}

func (v *violations) add(field, format string, args ...any) {
	v.list = append(v.list, &errdetails.BadRequest_FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

func (v *violations) any() bool { return len(v.list) > 0 }

func (v *violations) err() error {
	if !v.any() {
		return nil
	}
	return &apivalidate.Error{Violations: v.list}
}

// IsRefused reports whether err is a refusal of the plan, malformed or
// not allowed to run (as opposed to a failure to check it).
func IsRefused(err error) bool {
	var e *apivalidate.Error
	_, refused := AsRefusal(err)
	return errors.As(err, &e) || refused
}
