package checks

import (
	"fmt"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// NameProvisioning is the check of where the replacements would come
// from: the VPSie node group of the target size (managed mode) or the
// user-data template (vm mode).
const NameProvisioning = "resources.provisioning"

// Provisioning is what the analysis read about the group's provisioning,
// per its mode; the check judges it.
type Provisioning struct {
	// Spec is the group's spec.provisioning with the CRD's defaults
	// applied (mode managed, key userData).
	Spec v1alpha1.Provisioning
	// Groups are the managed cluster's VPSie node groups, listed for this
	// analysis; GroupsErr is why they could not be (cloud.ErrNotFound: no
	// such cluster).
	Groups    []cloud.KubeGroup
	GroupsErr error
	// UserData is what a read of the vm mode's Secret found.
	UserData UserDataSecret
}

// UserDataSecret is the vm mode's template Secret as the analysis read it.
type UserDataSecret struct {
	Namespace, Name, Key string
	// Exists is false when the API server answered NotFound.
	Exists bool
	// Template is the key's value; empty when the key is absent or empty.
	Template string
	// Err is why the Secret could not be read, NotFound aside.
	Err error
}

// ProvisioningDefaults applies the CRD's defaults to a spec read from a
// cache (objects built in Go, or stored before the field existed, have
// none): mode managed, key userData.
func ProvisioningDefaults(p v1alpha1.Provisioning) v1alpha1.Provisioning {
	out := *p.DeepCopy()
	if out.Mode == "" {
		out.Mode = v1alpha1.ProvisioningManaged
	}
	if out.UserData != nil && out.UserData.Key == "" {
		out.UserData.Key = "userData"
	}
	return out
}

// ProvisioningCheck judges the group's provisioning for the opportunity's
// target, by mode.
func ProvisioningCheck(in *Input) Result {
	if in.Provisioning == nil {
		return failed(resources, NameProvisioning, "the group's provisioning was not read", nil, false)
	}
	switch in.Provisioning.Spec.Mode {
	case v1alpha1.ProvisioningManaged:
		return vpsieGroup(in)
	case v1alpha1.ProvisioningVM:
		return userData(in)
	}
	return failed(resources, NameProvisioning, fmt.Sprintf("spec.provisioning.mode %q is neither managed nor vm",
		in.Provisioning.Spec.Mode), nil, false)
}
