package analysis

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
)

// KubeGroups lists a managed cluster's VPSie node groups (a subset of
// cloud.ManagedKubernetes).
type KubeGroups interface {
	ListKubeGroups(ctx context.Context, cluster string) ([]cloud.KubeGroup, error)
}

// liveReadTimeout bounds each read an analysis makes beyond the caches
// (a cluster's VPSie groups, a user-data Secret), so a slow VPSie API
// delays an answer by seconds, not by the caller's whole deadline.
const liveReadTimeout = 10 * time.Second

// provisioning reads what the group's mode depends on, live.
//
// A managed cluster's VPSie groups are listed per analysis, not cached
// with the catalogue: the answer to a missing group is "create one in the
// VPSie console", and the operator who did so and asks again must be
// answered from the console's state, not from one minutes old. Analyses
// are rare (one per opportunity), and this is one call.
//
// The Secret is read with a GET, never watched: the Analyzer's RBAC can
// then stay at get on the named Secrets, without list or watch.
func (a *Analyzer) provisioning(ctx context.Context, ng *v1alpha1.NodeGroup) *checks.Provisioning {
	ctx, cancel := context.WithTimeout(ctx, liveReadTimeout)
	defer cancel()
	p := &checks.Provisioning{Spec: checks.ProvisioningDefaults(ng.Spec.Provisioning)}
	switch p.Spec.Mode {
	case v1alpha1.ProvisioningManaged:
		p.Groups, p.GroupsErr = a.opts.KubeGroups.ListKubeGroups(ctx, p.Spec.ClusterID)
	case v1alpha1.ProvisioningVM:
		p.UserData = a.userDataSecret(ctx, ng.Namespace, p.Spec.UserData)
	}
	return p
}

// userDataSecret reads the template's Secret and keeps only the key's
// value: the rest of the Secret is none of the Analyzer's business.
func (a *Analyzer) userDataSecret(ctx context.Context, namespace string, ref *v1alpha1.UserDataTemplate) checks.UserDataSecret {
	out := checks.UserDataSecret{Namespace: namespace}
	if ref == nil {
		// The CRD requires userData in the vm mode; an object that
		// skipped validation names no Secret, which is what the check says.
		return out
	}
	out.Name, out.Key = ref.SecretName, ref.Key
	s, err := a.opts.Secrets.Secrets(namespace).Get(ctx, ref.SecretName, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return out
	case err != nil:
		out.Err = err
		return out
	}
	out.Exists, out.Template = true, string(s.Data[ref.Key])
	return out
}

// provisioningOf is the analysis's account of where the replacements
// would come from: the mode and, in the managed mode, the cluster and
// the VPSie group of the target size (when there is one).
func provisioningOf(in *checks.Input) *rebalancerv1.Provisioning {
	spec := in.Provisioning.Spec
	switch spec.Mode {
	case v1alpha1.ProvisioningVM:
		return &rebalancerv1.Provisioning{Mode: rebalancerv1.ProvisioningMode_PROVISIONING_MODE_VM}
	case v1alpha1.ProvisioningManaged:
	default:
		return &rebalancerv1.Provisioning{}
	}
	out := &rebalancerv1.Provisioning{Mode: rebalancerv1.ProvisioningMode_PROVISIONING_MODE_MANAGED, ClusterId: spec.ClusterID}
	if g, ok := in.VPSieGroup(in.Offer.Opportunity.GetTargetOffering()); ok {
		out.VpsieGroup, out.VpsieGroupId = g.Name, g.ID
	}
	return out
}
