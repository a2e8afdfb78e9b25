package sandbox

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// ports of one sandbox, all on 127.0.0.1.
type ports struct {
	etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok int
}

func newPorts() (ports, error) {
	p, err := freePorts(6)
	if err != nil {
		return ports{}, err
	}
	return ports{p[0], p[1], p[2], p[3], p[4], p[5]}, nil
}

func loopback(scheme string, port int) string {
	return scheme + "://127.0.0.1:" + strconv.Itoa(port)
}

func etcdArgs(dir string, p ports) []string {
	return []string{
		"--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-url=" + loopback("http", p.etcdClient),
		"--listen-peer-url=" + loopback("http", p.etcdPeer),
	}
}

func apiserverArgs(dir string, p ports, keys *pki, tokenFile string) []string {
	return []string{
		"--etcd-servers=" + loopback("http", p.etcdClient),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		// The endpoint reconciler refuses a loopback address, and nothing in
		// a sandbox reaches the API server through the kubernetes Service.
		"--endpoint-reconciler-type=none",
		"--secure-port=" + strconv.Itoa(p.apiserver),
		"--cert-dir=" + filepath.Join(dir, "apiserver"),
		"--tls-cert-file=" + keys.certFile,
		"--tls-private-key-file=" + keys.keyFile,
		"--client-ca-file=" + keys.caFile,
		"--token-auth-file=" + tokenFile,
		// RBAC, not AlwaysAllow: services' permissions are tested here.
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + keys.saPublic,
		"--service-account-signing-key-file=" + keys.saPrivate,
		"--service-cluster-ip-range=" + serviceCIDR,
		"--allow-privileged=true",
		// A test cluster has one client at a time: queueing costs memory
		// and start-up time, and its 429s would be confused with PDB ones.
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		"--delete-collection-workers=4", // namespaces of finished tests go faster
	}
}

// The controllers tests depend on: workloads and their garbage, PDB status
// (without it every eviction is refused), namespaces, service accounts,
// node health and the taints it drives, and RBAC role aggregation.
var controllers = []string{
	"deployment-controller", "replicaset-controller", "statefulset-controller",
	"daemonset-controller", "job-controller", "disruption-controller",
	"garbage-collector-controller", "pod-garbage-collector-controller",
	"namespace-controller", "serviceaccount-controller", "serviceaccount-token-controller",
	"root-ca-certificate-publisher-controller", "clusterrole-aggregation-controller",
	"node-lifecycle-controller", "taint-eviction-controller",
	"endpoints-controller", "endpointslice-controller",
}

func controllerManagerArgs(dir string, p ports, keys *pki, kubeconfig string) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.controllerManager),
		"--cert-dir=" + filepath.Join(dir, "controller-manager"),
		"--leader-elect=false",
		"--controllers=" + strings.Join(controllers, ","),
		"--service-account-private-key-file=" + keys.saPrivate,
		"--root-ca-file=" + keys.caFile,
		// Tests wait on controllers; let them talk to the API server freely
		// and notice node changes within a second.
		"--kube-api-qps=200",
		"--kube-api-burst=400",
		"--node-monitor-period=1s",
		"--concurrent-deployment-syncs=10",
		"--concurrent-replicaset-syncs=10",
		"--concurrent-namespace-syncs=10",
	}
}

func schedulerArgs(dir string, p ports, kubeconfig string) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.scheduler),
		"--cert-dir=" + filepath.Join(dir, "scheduler"),
		"--leader-elect=false",
	}
}

// kwok manages only nodes annotated as fake, so a real kubelet joining a
// sandbox (never, today) would be left alone.
func kwokArgs(p ports, kubeconfig string, stageFiles []string) []string {
	args := []string{
		"--kubeconfig=" + kubeconfig,
		"--manage-all-nodes=false",
		fmt.Sprintf("--manage-nodes-with-annotation-selector=%s=%s", v1alpha1.AnnotationKwokNode, v1alpha1.KwokNodeValue),
		"--server-address=127.0.0.1:" + strconv.Itoa(p.kwok),
		"--cidr=10.244.0.0/16",
		"--node-lease-duration-seconds=40",
	}
	for _, f := range stageFiles {
		args = append(args, "--config="+f)
	}
	return args
}
