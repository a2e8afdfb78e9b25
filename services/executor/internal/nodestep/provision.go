package nodestep

import (
	"context"
	"slices"
	"strings"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// provision asks VPSie for old's replacement: a plain VM under its
// deterministic hostname (vm mode), or one more node of the VPSie group
// of the target size (managed mode). Either way it tries the target and
// then the opportunity's alternatives that the live group allows, when
// quota or availability refuse one.
func provision(ctx context.Context, n *Node) error {
	if err := n.beginProvisioning(ctx); err != nil {
		return err
	}
	if n.r.x.GroupSpec().Managed() {
		return addManaged(ctx, n)
	}
	return createReplacementVM(ctx, n)
}

// beginProvisioning enters PROVISIONING once, with its first attempt.
func (n *Node) beginProvisioning(ctx context.Context) error {
	if n.Phase() >= rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING {
		return nil
	}
	now := n.r.now()
	hostname := ""
	if !n.r.x.GroupSpec().Managed() {
		hostname = naming.Hostname(n.r.x.Plan().GetPlanId(), n.Old, 1)
	}
	err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		ne.NewHostname = hostname
		nb.ProvisionStartedAt, nb.ProvisionAttempts = now, 1
	})
	if err != nil {
		return err
	}
	if hostname == "" {
		return n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING, nil,
			"Adding a node to the VPSie group of %s for %s", n.r.x.Plan().GetOpportunity().GetTargetOffering(), n.Old)
	}
	return n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING,
		map[string]string{"hostname": hostname}, "Creating replacement VM %s for %s", hostname, n.Old)
}

// createReplacementVM creates the VM under the hostname recorded for this
// attempt and moves on to JOINING with its identifier.
func createReplacementVM(ctx context.Context, n *Node) error {
	ne, _ := n.state()
	hostname := ne.GetNewHostname()
	vm, offering, err := n.createVM(ctx, hostname, n.r.offerings(ctx))
	if err != nil {
		return err
	}
	err = n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_JOINING, func(ne *rebalancerv1.NodeExecution, _ *store.NodeBook) {
		ne.NewVmIdentifier, ne.NewOffering = vm.ID, offering
	})
	if err != nil {
		return err
	}
	return n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED,
		map[string]string{"hostname": hostname, "vm": vm.ID, "offering": offering},
		"Replacement VM %s (%s) exists for %s", hostname, offering, n.Old)
}

// offerings is the target, then each of the opportunity's alternatives
// that the live group's alternative_offerings allows, once. A plan may
// not name an alternative its group does not allow (the Executor refuses
// it), but the group may have narrowed its list since; a live policy that
// cannot be read allows none.
func (r *Runner) offerings(ctx context.Context) []string {
	p := r.x.Plan()
	var allowed []string
	if live, err := r.x.LivePolicy(ctx); err != nil {
		r.env.Logger.Warn("the group's policy could not be read: no alternative offering", "error", err)
	} else {
		allowed = live.GetAlternativeOfferings()
	}
	return offeringsOf(p, allowed)
}

// offeringsOf is the target, then the alternatives allowed, each once.
func offeringsOf(p *rebalancerv1.RebalancePlan, allowed []string) []string {
	out := []string{p.GetOpportunity().GetTargetOffering()}
	for _, o := range p.GetOpportunity().GetAlternativeOfferings() {
		if o != "" && slices.Contains(allowed, o) && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// createVM tries each offering in turn; see decideCloud for what each
// answer leads to.
func (n *Node) createVM(ctx context.Context, hostname string, offerings []string) (cloud.VM, string, error) {
	var refusals []string
	for _, name := range offerings {
		vm, err := n.createOne(ctx, hostname, name)
		switch decideCloud(err) {
		case cloudDone:
			return vm, name, nil
		case cloudNextOffering:
			refusals = append(refusals, name+": "+err.Error())
			n.r.env.Logger.Info("offering refused, trying the next", "offering", name, "error", err)
			continue
		default:
			return cloud.VM{}, "", failure(rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, "creating VM %s: %v", hostname, err)
		}
	}
	return cloud.VM{}, "", failure(rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING,
		"no offering could be provisioned: %s", strings.Join(refusals, "; "))
}

// createOne resolves the offering, renders the user data and creates the
// VM, retrying what may pass.
func (n *Node) createOne(ctx context.Context, hostname, offeringName string) (cloud.VM, error) {
	env := &n.r.env
	group := n.r.x.GroupSpec()
	var vm cloud.VM
	var last error
	err := retryCloud(ctx, env.Pace.CloudRetry, func() error {
		o, err := n.r.offering(ctx, group.Datacenter, offeringName)
		if err != nil {
			last = err
			return err
		}
		spec, err := n.vmSpec(ctx, hostname, o)
		if err != nil {
			return err
		}
		// Only the first create after this Runner's own intent skips the
		// look-up; from then on a create may have been sent.
		spec.FirstAttempt = n.r.unsent.take(hostname)
		vm, last = env.Cloud.CreateVM(ctx, spec)
		return last
	})
	if err != nil && last != nil {
		return cloud.VM{}, last
	}
	return vm, err
}

// vmSpec is the VM to create: the group's labels and taints, and the user
// data that bootstraps a kubelet registering with them. A template that
// cannot be read or rendered fails the node: a VM without bootstrap would
// never join.
func (n *Node) vmSpec(ctx context.Context, hostname string, o cloud.Offering) (cloud.CreateSpec, error) {
	p, group := n.r.x.Plan(), n.r.x.GroupSpec()
	labels := nodeLabels(p.GetNodeGroup(), group.Labels)
	text, err := n.r.userDataTemplate(ctx, p.GetNamespace(), group.Provisioning.UserData)
	if err != nil {
		return cloud.CreateSpec{}, failure(rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, "%v", err)
	}
	userData, err := RenderUserData(text, NewUserDataInput(hostname, p.GetNodeGroup(), o.Name, group.Datacenter, labels, group.Taints))
	if err != nil {
		return cloud.CreateSpec{}, failure(rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, "group %s/%s: %v", p.GetNamespace(), p.GetNodeGroup(), err)
	}
	// The tag outlives the execution's record: the reconciler finds by it
	// a VM whose execution was lost or ended without keeping it.
	tag := cloud.Replacement{Installation: n.r.env.Installation, Execution: n.r.x.ID(), OldNode: n.Old}.Tag()
	return cloud.CreateSpec{Hostname: hostname, OfferingID: o.ID, Datacenter: group.Datacenter,
		Labels: labels, Taints: group.Taints, Tags: []string{tag}, UserData: userData}, nil
}

// nodeLabels are what a replacement registers with: the group's labels
// and the group label, so it is a member from its first moment.
func nodeLabels(group string, extra map[string]string) map[string]string {
	labels := map[string]string{v1alpha1.LabelNodeGroup: group}
	for k, v := range extra {
		labels[k] = v
	}
	return labels
}
