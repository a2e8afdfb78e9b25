package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/testbed/procs"
)

// Options tune Start. The zero value is what tests want.
type Options struct {
	// BinDir holds the binaries; default $SANDBOX_BIN_DIR, else the folder
	// tools/sandbox/build.sh --print-dir names.
	BinDir string
	// CRDDir holds the CRD manifests to install; default deploy/crds of the
	// repository the working directory is in.
	CRDDir string
	// Timeout bounds start-up; default two minutes.
	Timeout time.Duration
	// Logf, when set, receives a line per start-up step.
	Logf func(format string, args ...any)
}

// Sandbox is a running cluster. Its clients act as a cluster admin.
type Sandbox struct {
	// Dir is the temporary folder holding every file of the sandbox; the
	// components' logs are Dir/logs/<name>.log.
	Dir string
	// KubeconfigPath is an admin kubeconfig, usable by kubectl too.
	KubeconfigPath string
	RESTConfig     *rest.Config
	Client         kubernetes.Interface
	Dynamic        dynamic.Interface
	// Autoscaler reads and writes NodeGroups.
	Autoscaler autoscaler.Interface

	procs    []*procs.Child // in start order
	stopOnce sync.Once
	stopErr  error
}

// Start runs a sandbox and returns once every component is ready and the
// CRDs are served. On failure it stops what it started and the error
// carries the end of each component's log.
func Start(ctx context.Context, opts Options) (*Sandbox, error) {
	opts = opts.withDefaults()
	bin, stages, err := locateBinaries(opts.BinDir)
	if err != nil {
		return nil, err
	}
	if opts.CRDDir == "" {
		root, err := RepoRoot()
		if err != nil {
			return nil, err
		}
		opts.CRDDir = filepath.Join(root, "deploy", "crds")
	}
	dir, err := newWorkDir()
	if err != nil {
		return nil, err
	}
	s := &Sandbox{Dir: dir}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if err := s.boot(ctx, opts, bin, stages); err != nil {
		err = fmt.Errorf("sandbox: %w%s", err, s.logTails())
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

func (o Options) withDefaults() Options {
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o
}

// Pids returns the process ids of the components, for checks that none
// outlives Stop.
func (s *Sandbox) Pids() []int {
	pids := make([]int, 0, len(s.procs))
	for _, p := range s.procs {
		pids = append(pids, p.Pid())
	}
	return pids
}

// Stop ends every component (SIGTERM, then SIGKILL after a few seconds)
// and removes the sandbox's folder. It is safe to call more than once.
func (s *Sandbox) Stop() error {
	s.stopOnce.Do(func() {
		// Clients before servers: etcd and the API server each wait for
		// their clients' streams to close before they exit.
		for _, tier := range stopOrder(s.procs) {
			var wg sync.WaitGroup
			for _, p := range tier {
				// A component's exit status says nothing here: it was
				// asked to stop, and Start already waited on its health.
				wg.Go(func() { _ = p.Stop(5 * time.Second) })
			}
			wg.Wait()
		}
		s.stopErr = os.RemoveAll(s.Dir)
	})
	return s.stopErr
}

// stopOrder groups processes by the order they stop in: everything else
// together, then the API server, then etcd.
func stopOrder(children []*procs.Child) [][]*procs.Child {
	var clients, apiserver, etcd []*procs.Child
	for _, p := range children {
		switch p.Name() {
		case "etcd":
			etcd = append(etcd, p)
		case "kube-apiserver":
			apiserver = append(apiserver, p)
		default:
			clients = append(clients, p)
		}
	}
	return [][]*procs.Child{clients, apiserver, etcd}
}

func (s *Sandbox) logTails() string {
	var b strings.Builder
	for _, p := range s.procs {
		// The folder is removed with the failed sandbox: quote, don't point.
		fmt.Fprintf(&b, "\n--- %s, last lines of its log:\n%s", p.Name(), p.Tail(20))
	}
	return b.String()
}

func (s *Sandbox) connect(kubeconfigPath string) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfigPath)
	if err != nil {
		return err
	}
	// Tests poll and create in bursts; client-side throttling would only
	// make them slower.
	cfg.QPS, cfg.Burst = 200, 400
	s.KubeconfigPath, s.RESTConfig = kubeconfigPath, cfg
	if s.Client, err = kubernetes.NewForConfig(cfg); err != nil {
		return err
	}
	if s.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return err
	}
	s.Autoscaler, err = autoscaler.NewForConfig(cfg)
	return err
}
