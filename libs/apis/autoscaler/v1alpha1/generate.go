package v1alpha1

// controller-gen writes the deepcopy functions beside these types and the
// CRD with its structural schema into deploy/crds. Pinned so a regeneration
// on any machine gives the same bytes.
//go:generate go run sigs.k8s.io/controller-tools/cmd/controller-gen@v0.23.0 object crd:crdVersions=v1 paths=. output:crd:dir=../../../../deploy/crds
