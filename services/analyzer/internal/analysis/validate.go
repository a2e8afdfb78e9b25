package analysis

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
)

// ValidateSafety runs the safety checks for nodes of group namespace/name
// (every node when none is named), without an opportunity: the cluster,
// the group, the budgets and workloads of the nodes, and the timing. It
// returns the errors Analyze does, and *NodeNotInGroupError for a named
// node that is not a member.
func (a *Analyzer) ValidateSafety(ctx context.Context, namespace, name string, nodeNames []string) (*rebalancerv1.ValidateRebalanceSafetyResponse, error) {
	ng, p, err := a.group(namespace, name)
	if err != nil {
		return nil, err
	}
	nodes, err := a.selectNodes(namespace, name, nodeNames)
	if err != nil {
		return nil, err
	}
	members := facts.Gather(a.opts.State, nodes, "")
	in := a.input(ctx, ng, p, members)
	in.NamedNodes = len(nodeNames) > 0
	results := checks.All(in)
	a.metrics.observe(namespace, name, results)

	var candidates []string
	for _, m := range members {
		if m.Candidate() {
			candidates = append(candidates, m.Node.Name)
		}
	}
	return &rebalancerv1.ValidateRebalanceSafetyResponse{
		Safe:              !slices.ContainsFunc(results, checks.Result.Failed),
		Checks:            safetyChecks(results),
		RecommendedAction: verdict(results, candidates),
	}, nil
}

// selectNodes returns the group's members, or those named, in name order.
func (a *Analyzer) selectNodes(namespace, group string, names []string) ([]*corev1.Node, error) {
	members := a.opts.State.GroupNodes(group)
	if len(names) == 0 {
		return members, nil
	}
	var out []*corev1.Node
	for _, n := range members {
		if slices.Contains(names, n.Name) {
			out = append(out, n)
		}
	}
	for _, want := range names {
		if !slices.ContainsFunc(out, func(n *corev1.Node) bool { return n.Name == want }) {
			return nil, &NodeNotInGroupError{Node: want, Namespace: namespace, Group: group}
		}
	}
	return out, nil
}
