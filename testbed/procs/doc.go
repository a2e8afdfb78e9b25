// Package procs runs the child processes of a test harness or a demo: each
// in its own process group, its output in a log file of its own, stopped
// with SIGTERM and then SIGKILL. The sandbox and rebalance-demo both start
// real binaries and must leave none behind, so they share this one way of
// doing it.
package procs
