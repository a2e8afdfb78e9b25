package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"

	"github.com/vpsie/node-rebalancer/testbed/procs"
)

// boot brings the components up in dependency order: etcd and the API
// server together (the API server retries etcd), then the controllers,
// the scheduler and kwok together once the API server is ready.
func (s *Sandbox) boot(ctx context.Context, opts Options, bin, stages string) error {
	start := time.Now()
	logs := filepath.Join(s.Dir, "logs")
	if err := os.Mkdir(logs, 0o700); err != nil {
		return err
	}
	keys, err := newPKI(s.Dir)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	ids, err := newIdentities()
	if err != nil {
		return err
	}
	tokenFile := filepath.Join(s.Dir, "tokens.csv")
	if err := writeTokenFile(tokenFile, ids); err != nil {
		return err
	}
	p, err := newPorts()
	if err != nil {
		return err
	}
	kubeconfigs, err := writeKubeconfigs(s.Dir, loopback("https", p.apiserver), keys.caPEM, ids)
	if err != nil {
		return err
	}
	if err := s.connect(kubeconfigs["sandbox-admin"]); err != nil {
		return err
	}

	run := func(name string, args []string) (*procs.Child, error) {
		proc, err := procs.Start(procs.Command{Name: name, Binary: filepath.Join(bin, name), Args: args, LogDir: logs})
		if err == nil {
			s.procs = append(s.procs, proc)
		}
		return proc, err
	}
	etcd, err := run("etcd", etcdArgs(s.Dir, p))
	if err != nil {
		return err
	}
	apiserver, err := run("kube-apiserver", apiserverArgs(s.Dir, p, keys, tokenFile))
	if err != nil {
		return err
	}
	if err := waitHealthy(ctx, etcd, plainLoopback, loopback("http", p.etcdClient)+"/health"); err != nil {
		return err
	}
	if err := s.waitAPIServer(ctx, apiserver); err != nil {
		return err
	}
	opts.Logf("sandbox: API server ready on %s after %s", s.RESTConfig.Host, since(start))

	stageFiles, err := filepath.Glob(filepath.Join(stages, "*.yaml"))
	if err != nil {
		return err
	}
	type component struct {
		name string
		args []string
		url  string
		http *http.Client
	}
	components := []component{
		{"kube-controller-manager", controllerManagerArgs(s.Dir, p, keys, kubeconfigs["sandbox-controller-manager"]),
			loopback("https", p.controllerManager) + "/healthz", insecureLoopback},
		{"kube-scheduler", schedulerArgs(s.Dir, p, kubeconfigs["sandbox-scheduler"]),
			loopback("https", p.scheduler) + "/healthz", insecureLoopback},
		{"kwok", kwokArgs(p, kubeconfigs["sandbox-kwok"], stageFiles),
			loopback("http", p.kwok) + "/healthz", plainLoopback},
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, c := range components {
		proc, err := run(c.name, c.args)
		if err != nil {
			return err
		}
		g.Go(func() error { return waitHealthy(gctx, proc, c.http, c.url) })
	}
	g.Go(func() error { return installCRDs(gctx, s.Dynamic, opts.CRDDir) })
	if err := g.Wait(); err != nil {
		return err
	}
	if err := s.waitDefaultServiceAccount(ctx); err != nil {
		return err
	}
	opts.Logf("sandbox: ready after %s (%s)", since(start), s.Dir)
	return nil
}

// waitAPIServer waits for /readyz, which covers etcd, the RBAC bootstrap
// roles and the other post-start hooks.
func (s *Sandbox) waitAPIServer(ctx context.Context, apiserver *procs.Child) error {
	httpClient, err := rest.HTTPClientFor(s.RESTConfig)
	if err != nil {
		return err
	}
	httpClient.Timeout = 2 * time.Second
	return waitHealthy(ctx, apiserver, httpClient, s.RESTConfig.Host+"/readyz")
}

// waitDefaultServiceAccount waits until the controllers have given the
// default namespace its service account: pods are refused before that, and
// it shows the controller manager is acting, not just alive.
func (s *Sandbox) waitDefaultServiceAccount(ctx context.Context) error {
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		_, err := s.Client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("no default service account: %w", err)
	}
	return nil
}

func since(t time.Time) time.Duration { return time.Since(t).Round(10 * time.Millisecond) }
