// Package accept decides whether the Executor takes a plan: the shared plan
// rules (libs/plancheck), then the plan against the live cluster. A refusal
// is an *apivalidate.Error (InvalidArgument with field violations) and
// nothing has been touched.
package accept

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// controlPlaneLabels mark nodes the rebalancer never replaces.
var controlPlaneLabels = []string{"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"}

// Checker checks plans against the cluster.
type Checker struct {
	Kube   kubernetes.Interface
	Groups autoscaler.Interface
}

// Check returns the plan's NodeGroup when the plan may run, an
// *apivalidate.Error when it may not, or another error when the cluster
// could not be read (the caller answers Unavailable).
func (c Checker) Check(ctx context.Context, p *rebalancerv1.RebalancePlan) (*v1alpha1.NodeGroup, error) {
	v := &violations{}
	for _, pv := range plancheck.Check(p) {
		v.add(pv.Field, "%s", pv.Description)
	}
	if v.any() {
		return nil, v.err()
	}
	group, err := c.Groups.NodeGroups(p.GetNamespace()).Get(ctx, p.GetNodeGroup(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		v.add("plan.node_group", "no NodeGroup %s/%s", p.GetNamespace(), p.GetNodeGroup())
		return nil, v.err()
	}
	if err != nil {
		return nil, fmt.Errorf("read NodeGroup: %w", err)
	}
	if err := c.checkNodes(ctx, v, p); err != nil {
		return nil, err
	}
	return group, v.err()
}

// checkNodes holds each planned node to the cluster: it exists, belongs to
// the plan's group, is no control-plane node, and runs the VM the plan
// would delete. Each node is checked once, at its first place in the plan.
func (c Checker) checkNodes(ctx context.Context, v *violations, p *rebalancerv1.RebalancePlan) error {
	seen := map[string]bool{}
	for i, b := range p.GetBatches() {
		for j, n := range b.GetNodes() {
			if seen[n.GetNodeName()] {
				continue
			}
			seen[n.GetNodeName()] = true
			field := fmt.Sprintf("plan.batches[%d].nodes[%d]", i, j)
			node, err := c.Kube.CoreV1().Nodes().Get(ctx, n.GetNodeName(), metav1.GetOptions{})
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
	if got := node.Labels[v1alpha1.LabelNodeGroup]; got != group {
		v.add(field+".node_name", "node %q belongs to group %q, not %q", node.Name, got, group)
	}
	for _, l := range controlPlaneLabels {
		if _, ok := node.Labels[l]; ok {
			v.add(field+".node_name", "node %q is a control-plane node", node.Name)
		}
	}
	if vm, _ := v1alpha1.VMIdentifier(node.Spec.ProviderID); vm != n.GetVmIdentifier() {
		v.add(field+".vm_identifier", "is %q but node %q runs VM %q", n.GetVmIdentifier(), node.Name, vm)
	}
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

// IsRefused reports whether err is a refusal of the plan (as opposed to a
// failure to check it).
func IsRefused(err error) bool {
	var e *apivalidate.Error
	return errors.As(err, &e)
}
