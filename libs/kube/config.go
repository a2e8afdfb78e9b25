package kube

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ErrNoConfig means neither a kubeconfig nor an in-cluster service account
// was found: a configuration mistake, reported at start-up, not retried.
var ErrNoConfig = errors.New("no Kubernetes configuration: set --kubeconfig (or KUBECONFIG) or run in a cluster")

// RESTConfig loads kubeconfigPath, or the in-cluster configuration when the
// path is empty. userAgent names the service in the API server's logs.
func RESTConfig(kubeconfigPath, userAgent string) (*rest.Config, error) {
	cfg, err := load(kubeconfigPath)
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = userAgent
	return cfg, nil
}

func load(kubeconfigPath string) (*rest.Config, error) {
	if kubeconfigPath != "" {
		cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfigPath)
		if err != nil {
			return nil, fmt.Errorf("--kubeconfig %s: %w", kubeconfigPath, err)
		}
		return cfg, nil
	}
	cfg, err := rest.InClusterConfig()
	if errors.Is(err, rest.ErrNotInCluster) {
		return nil, ErrNoConfig
	}
	return cfg, err
}

// Readyz returns a check that asks the API server's /readyz, so a service
// reports NOT_SERVING while its cluster is unreachable.
func Readyz(client kubernetes.Interface) func(context.Context) error {
	return func(ctx context.Context) error {
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return fmt.Errorf("kube-apiserver /readyz: %w", err)
		}
		if string(body) != "ok" {
			return fmt.Errorf("kube-apiserver /readyz: %s", body)
		}
		return nil
	}
}
