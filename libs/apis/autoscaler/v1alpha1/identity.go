package v1alpha1

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// How a node, its VM and its pods are tied to a NodeGroup. These names are
// part of the contract with operators: they appear on real nodes and in
// kubectl selectors, so they never change within a version.
const (
	// LabelNodeGroup on a Node names the NodeGroup it belongs to.
	LabelNodeGroup = GroupName + "/nodegroup"

	// LabelInstanceType on a Node names the VPSie offering it runs on
	// (for example "standard-8"); it is the well-known Kubernetes label.
	LabelInstanceType = corev1.LabelInstanceTypeStable

	// ProviderIDPrefix starts Node.spec.providerID; the VM identifier
	// follows it, as a cloud controller manager sets it.
	ProviderIDPrefix = "vpsie://"

	// AnnotationReplacementFor on a Node the rebalancer claimed (managed
	// mode: VPSie names the nodes it adds) says which execution and old
	// node it replaces, "<execution>/<old node>". A node that carries
	// another's claim is never taken.
	AnnotationReplacementFor = GroupName + "/replacement-for"

	// AnnotationDoNotDisrupt set to "true" on a pod or node keeps the
	// rebalancer from evicting that pod or replacing that node.
	AnnotationDoNotDisrupt = GroupName + "/do-not-disrupt"

	// AnnotationKwokNode and KwokNodeValue mark a node as simulated by kwok
	// (the sandbox and the VPSie simulator set it; real nodes never do).
	AnnotationKwokNode = "kwok.x-k8s.io/node"
	KwokNodeValue      = "fake"
)

// ProviderID returns the Node.spec.providerID of the VM with this identifier.
func ProviderID(vmIdentifier string) string {
	return ProviderIDPrefix + vmIdentifier
}

// VMIdentifier returns the VM identifier in a providerID, and false when
// the providerID is not a VPSie one.
func VMIdentifier(providerID string) (string, bool) {
	id, ok := strings.CutPrefix(providerID, ProviderIDPrefix)
	if !ok || id == "" {
		return "", false
	}
	return id, true
}

// NodeSelector is the label selector of group's nodes, for a listing.
func NodeSelector(group string) string { return LabelNodeGroup + "=" + group }
