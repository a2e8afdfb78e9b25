package kube

import (
	"context"
	"errors"
	"fmt"
	"os"

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
	listThenWatch()
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

// watchListGate is client-go's switch of its informers' watch-list
// streams, read from the environment at its first use.
const watchListGate = "KUBE_FEATURE_WatchListClient"

// listThenWatch makes the informers list and then watch, as they long did,
// rather than ask for a watch-list stream of initial events (on by default
// since client-go 1.35), whose first bookmark waits on the API server's
// watch cache: services started beside a loaded API server were seen, more
// than once, still not ready a minute later with the streams on. An
// operator's own setting of the variable wins.
func listThenWatch() {
	if _, set := os.LookupEnv(watchListGate); !set {
		_ = os.Setenv(watchListGate, "false")
	}
}
