// Package e2e runs the Executor end to end against the sandbox cluster, the
// VPSie simulator (over HTTP, through the real client; its VMs join as kwok
// nodes) and nats-server, with the invariant monitor watching every test.
// The Executor is the one that ships: its composition root (service.Setup)
// serving gRPC in the test's process, or executor processes built from
// cmd/executor; plans come from the real Planner binary. It holds tests
// only.
package e2e
