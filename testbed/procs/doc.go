// Package procs runs the child processes of a test harness or a demo: each
// in its own process group, its output in a log file of its own, stopped
// with SIGTERM and then SIGKILL. The sandbox and rebalance-demo both start
// real binaries and must leave none behind, so they share this one way of
// doing it.
//
// It also holds what comes before and after a start, shared by the
// harnesses and the tests alike (servicetest wraps them for tests):
// building the binaries from source (Build), choosing free loopback ports
// for them (FreePorts, FreeAddr), and waiting until a service reports
// SERVING through gRPC health checking (WaitHealth).
package procs
