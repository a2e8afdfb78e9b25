// Package sandbox runs a real, throwaway Kubernetes control plane for tests
// and the demo: etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler as child processes, with kwok playing the kubelets of
// fake nodes. Only a real API server enforces PodDisruptionBudgets on
// eviction and only the real controllers recreate and reschedule evicted
// pods, so anything that claims that behaviour is tested here.
//
// Everything listens on free loopback ports and lives in one temporary
// folder (keys, certificates, tokens, kubeconfigs, etcd data, logs) that
// Stop removes. Children die with the process that started them.
//
// The binaries come from tools/sandbox/build.sh (make sandbox-bins).
//
// Tests use one sandbox per package through the sandboxtest package.
package sandbox
