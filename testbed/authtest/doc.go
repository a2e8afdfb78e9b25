// Package authtest holds the sandbox test of who may call the rebalancer:
// real service-account tokens from the sandbox's kube-apiserver, bound to
// the ClusterRoles deploy/ ships, calling every RPC of a server that runs
// the shared authentication and authorization (libs/server) with the
// services' access tables (libs/access). It has no code of its own.
package authtest
