// Package e2e tests the Analyzer end to end: the service as the binary
// assembles it, served by the shared libs/server chain on a loopback port,
// reading a real cluster (the sandbox: etcd, kube-apiserver, controllers
// and kwok nodes) through its informers and the VPSie simulator through
// the real HTTP client, called over gRPC. It holds tests only.
package e2e
