// Package e2e runs the Executor end to end against the sandbox cluster, the
// VPSie simulator (over HTTP, through the real client; its VMs join as kwok
// nodes) and an in-process nats-server, with the invariant monitor
// watching every test. It holds tests only.
package e2e
