// Package nodestep holds the steps one old node takes through its
// replacement, in order: provision, join, cordon, drain, verify,
// terminate (steps.go). Along with them: the marks every old node carries
// while it is replaced (the replacing taint, the cordon, the load-balancer
// label, and the note of what the node had before), the single-replica
// rollouts and forced deletions of the drain, and the tables that map the
// Eviction API's and the cloud's answers to decisions (evictcodes.go,
// cloudcodes.go).
//
// A step reads and writes its node's state only through Execution, which
// the engine implements over the execution's record, and acts on the
// cluster only through Kube, the few Kubernetes calls it makes, so it runs
// against a small fake as well as a real API server. Dependencies point
// engine → nodestep → libs, never back.
package nodestep
