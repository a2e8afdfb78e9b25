// Package kube is the one home of the Kubernetes rules every part of the
// rebalancer must read the same way: when a node is Ready and when it
// serves, when a pod is Ready, which PodDisruptionBudgets cover a pod,
// which workload owns a pod, and how many replicas a workload wants. The
// Analyzer, the Executor and the invariant monitor all call these, so
// they cannot disagree. It also loads a service's client configuration
// and checks that the API server answers.
package kube
