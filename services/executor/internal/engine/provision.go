package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// cloudAttempts bounds the retries of one cloud call after the client's own.
const cloudAttempts = 4

// provision asks the cloud for the replacement VM under its deterministic
// hostname, trying the target offering and then the opportunity's
// alternatives when quota or availability refuse one.
func provision(ctx context.Context, n *nodeRun) error {
	p := n.x.plan()
	hostname := naming.Hostname(p.GetPlanId(), n.old)
	if n.phase() < rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING {
		now := n.x.now()
		err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook) {
			ne.NewHostname = hostname
			nb.ProvisionStartedAt, nb.ProvisionAttempts = now, 1
		})
		if err != nil {
			return err
		}
		if err := n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING, n.old, n.batch,
			map[string]string{"hostname": hostname}, "Creating replacement VM %s for %s", hostname, n.old); err != nil {
			return err
		}
	}
	vm, offering, err := createVM(ctx, n, hostname, offeringsOf(p))
	if err != nil {
		return err
	}
	err = n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_JOINING, func(ne *rebalancerv1.NodeExecution, _ *store.NodeBook) {
		ne.NewVmIdentifier, ne.NewOffering = vm.ID, offering
	})
	if err != nil {
		return err
	}
	n.x.deps.Metrics.NodesProvisioned.WithLabelValues(p.GetNamespace(), p.GetNodeGroup()).Inc()
	return n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED, n.old, n.batch,
		map[string]string{"hostname": hostname, "vm": vm.ID, "offering": offering},
		"Replacement VM %s (%s) exists for %s", hostname, offering, n.old)
}

// offeringsOf is the target, then the alternatives, each once.
func offeringsOf(p *rebalancerv1.RebalancePlan) []string {
	out := []string{p.GetOpportunity().GetTargetOffering()}
	for _, o := range p.GetOpportunity().GetAlternativeOfferings() {
		if o != "" && !contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// createVM tries each offering in turn; see decideCloud for what each
// answer leads to.
func createVM(ctx context.Context, n *nodeRun, hostname string, offerings []string) (cloud.VM, string, error) {
	var refusals []string
	for _, name := range offerings {
		vm, err := createOne(ctx, n, hostname, name)
		switch decideCloud(err) {
		case cloudDone:
			return vm, name, nil
		case cloudNextOffering:
			refusals = append(refusals, name+": "+err.Error())
			n.x.deps.Logger.Info("offering refused, trying the next", "offering", name, "error", err)
			continue
		default:
			return cloud.VM{}, "", failure(rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, "creating VM %s: %v", hostname, err)
		}
	}
	return cloud.VM{}, "", failure(rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING,
		"no offering could be provisioned: %s", strings.Join(refusals, "; "))
}

// createOne resolves the offering and creates the VM, retrying what may pass.
func createOne(ctx context.Context, n *nodeRun, hostname, offeringName string) (cloud.VM, error) {
	var book store.Book
	n.x.view(func(r *store.Record) { book = r.Book })
	var vm cloud.VM
	var last error
	err := retryCloud(ctx, n.x.deps.Pace.CloudRetry, func() error {
		o, err := n.x.deps.Cloud.GetOffering(ctx, book.Datacenter, offeringName)
		if err != nil {
			last = err
			return err
		}
		vm, last = n.x.deps.Cloud.CreateVM(ctx, cloud.CreateSpec{
			Hostname: hostname, OfferingID: o.ID, Datacenter: book.Datacenter,
			Labels: nodeLabels(n.x.plan().GetNodeGroup(), book.GroupLabels), Taints: book.GroupTaints,
		})
		return last
	})
	if err != nil && last != nil {
		return cloud.VM{}, last
	}
	return vm, err
}

// retryCloud calls fn with exponential backoff while decideCloud says retry.
func retryCloud(ctx context.Context, first time.Duration, fn func() error) error {
	backoff := wait.Backoff{Duration: first, Factor: 2, Jitter: 0.2, Steps: cloudAttempts}
	var last error
	err := wait.ExponentialBackoffWithContext(ctx, backoff, func(context.Context) (bool, error) {
		last = fn()
		if decideCloud(last) == cloudRetry {
			return false, nil
		}
		return true, nil
	})
	if last != nil {
		return last
	}
	if err != nil {
		return fmt.Errorf("cloud call: %w", err)
	}
	return nil
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
