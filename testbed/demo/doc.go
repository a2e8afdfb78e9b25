// Package demo runs the Node Rebalancer end to end, as `make demo` shows
// it: a sandbox cluster, the VPSie simulator and the three services as
// separate processes on loopback ports; a node group whose nodes are
// simulator VMs carrying realistic workloads; a cost optimizer's call to
// the Analyzer, the Planner's plan, the Executor's live progress; and one
// summary line taken from what happened (the execution's result, the
// simulator's VMs and the invariant monitor's findings), never from the
// plan.
//
// The CLI module may import libs but never services: the services run as
// binaries, built by `make build` or, in tests, from source.
package demo
