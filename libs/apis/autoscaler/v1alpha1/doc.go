// Package v1alpha1 holds the NodeGroup API (autoscaler.vpsie.io/v1alpha1):
// the Go types, their scheme registration, and the names by which nodes,
// pods and VMs are tied to a group.
//
// The CRD in deploy/crds and zz_generated.deepcopy.go are generated from
// the markers in this package (go generate ./libs/apis/..., see
// generate.go), so the schema and these types agree.
//
// +kubebuilder:object:generate=true
// +groupName=autoscaler.vpsie.io
package v1alpha1
