// Package deploytest holds tests of the deploy manifests (deploy/): that
// kustomize renders them, that the API server accepts every object, that
// each service account can do what its service needs and nothing more, and
// that every workload is hardened and pinned. It has no code of its own.
package deploytest
