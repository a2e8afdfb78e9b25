package chaos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// run is one run's world: its namespace and NodeGroup (both named ns) in
// the shared sandbox, and a simulator, a nats-server and Executor replicas
// of its own, so nothing a run leaves behind can touch the next one.
type run struct {
	cfg   Config
	sc    Scenario
	sb    *sandbox.Sandbox
	ns    string
	dir   string
	sim   *vpsiesim.Server
	cloud *vpsie.Client
	nats  *natsd
	nc    *nats.Conn
	js    jetstream.JetStream
	fleet fleet
	old   []*corev1.Node
	// before are the simulator's counters once the group stood.
	before vpsiesim.Stats
}

// setUp starts the run's processes and builds its group and workloads.
func (r *run) setUp(ctx context.Context, binDir string) error {
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	if err := r.createNamespace(ctx); err != nil {
		return err
	}
	var err error
	r.sim, err = vpsiesim.NewServer(vpsiesim.Options{Token: simToken, BootDelay: r.cfg.BootDelay, Kube: r.sb.Client,
		JoinToken: joinToken, Seed: r.sc.Seed})
	if err != nil {
		return err
	}
	if r.cloud, err = vpsie.New(vpsie.Options{BaseURL: r.sim.URL, Token: simToken, OSIdentifier: osImage}); err != nil {
		return err
	}
	if r.nats, err = startNATS(ctx, filepath.Join(binDir, "natsd"), r.dir); err != nil {
		return err
	}
	if r.nc, r.js, err = connectNATS(r.nats.URL()); err != nil {
		return err
	}
	if err := r.startFleet(filepath.Join(binDir, "executor")); err != nil {
		return err
	}
	if r.old, err = r.createGroup(ctx); err != nil {
		return err
	}
	if err := r.createWorkloads(ctx); err != nil {
		return err
	}
	if err := r.waitWorkloads(ctx); err != nil {
		return err
	}
	r.before = r.sim.Stats()
	for _, rep := range r.fleet {
		if err := rep.waitServing(ctx); err != nil {
			return err
		}
	}
	return nil
}

// startFleet starts the Executor replicas, all with the same flags but
// their ID and ports: replicas of one installation, named after the run.
func (r *run) startFleet(binary string) error {
	token := filepath.Join(r.dir, "vpsie-token")
	if err := os.WriteFile(token, []byte(simToken), 0o600); err != nil {
		return err
	}
	args := []string{"--kubeconfig", r.sb.KubeconfigPath, "--nats-url", r.nats.URL(), "--vpsie-url", r.sim.URL,
		"--vpsie-token-file", token, "--vpsie-os-identifier", osImage, "--lease-ttl", r.cfg.LeaseTTL.String(),
		"--roles", "executor,rollback", "--installation", r.ns, "--drain-period", "100ms", "--log-level", "info",
		"--auth", "none"} // loopback only; the campaign calls without a token
	args = append(args, r.cfg.ExecutorArgs...)
	for i := range r.cfg.Replicas {
		rep, err := newReplica(fmt.Sprintf("replica-%c", 'a'+i), binary, r.dir, args)
		if err != nil {
			return err
		}
		r.fleet = append(r.fleet, rep)
		if err := rep.start(); err != nil {
			return err
		}
	}
	return nil
}

// createNamespace creates the run's namespace and waits for its default
// service account, without which no pod can be created.
func (r *run) createNamespace(ctx context.Context) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: r.ns}}
	if _, err := r.sb.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := r.sb.Client.CoreV1().ServiceAccounts(r.ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
}

// tearDown stops what the run started and removes what it created in
// the shared sandbox. The namespace's deletion (and the NodeGroup's with
// it) finishes in the background.
func (r *run) tearDown() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if r.fleet != nil {
		errs = append(errs, r.fleet.stop())
	}
	if r.nc != nil {
		r.nc.Close()
	}
	if r.nats != nil {
		errs = append(errs, r.nats.stop())
	}
	if r.sim != nil {
		r.sim.Close()
	}
	err := r.sb.Client.CoreV1().Namespaces().Delete(ctx, r.ns, metav1.DeleteOptions{})
	errs = append(errs, ignoreNotFound(err), r.deleteNodes(ctx))
	return errors.Join(errs...)
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
