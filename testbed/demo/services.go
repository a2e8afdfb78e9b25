package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plansign"
	"github.com/vpsie/node-rebalancer/testbed/procs"
)

// The simulator's token, and the OS image both the Analyzer (it prices
// per image) and the Executor (new nodes boot it) name.
const (
	simToken = "demo-token"
	// joinToken is the cluster's bootstrap token: the simulator joins a
	// plain VM only when its user data carries it.
	joinToken = "demo01.0123456789abcdef"
	osImage   = "ubuntu-24.04-k8s"
)

// stopGrace is how long a service gets to stop after SIGTERM before it is
// killed; the services drain for --drain-period, which the demo sets short.
const stopGrace = 10 * time.Second

// serveTimeout bounds the wait for a service to report SERVING; the
// Analyzer syncs its caches and loads the catalogue first.
const serveTimeout = 90 * time.Second

// services are the running children and clients of the three APIs.
type services struct {
	procs    []*procs.Child // in start order; stopped in reverse
	simURL   string
	conns    []*grpc.ClientConn
	analyzer rebalancerv1.AnalyzerServiceClient
	planner  rebalancerv1.PlannerServiceClient
	executor rebalancerv1.ExecutorServiceClient
}

// startServices starts the simulator, whose VMs join the cluster of
// kubeconfig, then the Analyzer, the Planner and the Executor (with its
// embedded nats-server), each on free loopback ports, and waits until all
// three report SERVING.
func startServices(ctx context.Context, cfg Config, kubeconfig string) (s *services, err error) {
	s = &services{}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.stop())
		}
	}()
	tokenFile := filepath.Join(cfg.LogDir, "vpsie-token")
	if err := os.WriteFile(tokenFile, []byte(simToken+"\n"), 0o600); err != nil {
		return s, err
	}
	simAddr, err := procs.FreeAddr()
	if err != nil {
		return s, err
	}
	s.simURL = "http://" + simAddr
	if err := s.start(cfg, "vpsie-sim", "--addr", simAddr, "--token", simToken,
		"--kubeconfig", kubeconfig, "--boot-delay", cfg.BootDelay.String(), "--join-token", joinToken); err != nil {
		return s, err
	}
	// A throwaway Planner key pair: the Planner signs, the Executor verifies.
	signingKey, publicKey := filepath.Join(cfg.LogDir, "planner.key"), filepath.Join(cfg.LogDir, "planner.pub")
	if err := plansign.WriteKeyPair(signingKey, publicKey); err != nil {
		return s, err
	}
	cluster := []string{"--kubeconfig", kubeconfig, "--vpsie-url", s.simURL, "--vpsie-token-file", tokenFile,
		"--vpsie-os-identifier", osImage}
	addrs := map[string]string{}
	for _, name := range []string{"analyzer", "planner", "executor"} {
		extra := cluster
		switch name {
		case "planner":
			extra = []string{"--signing-key-file", signingKey}
		case "executor":
			extra = append(slices.Clone(cluster), "--plan-public-key-file", publicKey)
		}
		if addrs[name], err = s.startService(cfg, name, extra); err != nil {
			return s, err
		}
	}
	s.analyzer = rebalancerv1.NewAnalyzerServiceClient(s.dial(addrs["analyzer"]))
	s.planner = rebalancerv1.NewPlannerServiceClient(s.dial(addrs["planner"]))
	s.executor = rebalancerv1.NewExecutorServiceClient(s.dial(addrs["executor"]))
	for name, service := range map[string]string{"analyzer": "Analyzer", "planner": "Planner", "executor": "Executor"} {
		if err := s.waitServing(ctx, addrs[name], "rebalancer.v1."+service+"Service"); err != nil {
			return s, err
		}
	}
	return s, nil
}

// startService starts one of the three services on free ports with its
// own flags, extra: the Analyzer's and the Executor's cluster and cloud,
// the Planner's signing key, the Executor's Planner public key.
func (s *services) startService(cfg Config, name string, extra []string) (string, error) {
	grpcAddr, metricsAddr, err := serviceAddrs(cfg, name)
	if err != nil {
		return "", err
	}
	// Loopback only, so the demo may serve anyone: grpcurl and
	// rebalancectl call without credentials, as the README shows.
	args := []string{"--grpc-addr", grpcAddr, "--metrics-addr", metricsAddr, "--drain-period", "100ms", "--auth", "none"}
	args = append(args, extra...)
	if name == "executor" {
		// Scenarios sharing one sandbox are installations of their own:
		// a later one's start-up reconcile must leave the others' nodes be.
		// Its executions live in the run's log folder: kept across a
		// restart of the Executor, gone with the run.
		args = append(args, "--installation", cfg.Namespace, "--data-dir", filepath.Join(cfg.LogDir, "executor-data"))
	}
	if name == "analyzer" {
		// The demo's nodes joined moments ago; with the default ten-minute
		// scale-up cooldown the Analyzer would rightly say POSTPONE.
		args = append(args, "--scale-up-cooldown", "0s")
	}
	return grpcAddr, s.start(cfg, name, args...)
}

func (s *services) start(cfg Config, name string, args ...string) error {
	p, err := procs.Start(procs.Command{Name: name, Binary: filepath.Join(cfg.BinDir, name), Args: args, LogDir: cfg.LogDir})
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	cfg.logf("started %-9s pid %d, log %s", name, p.Pid(), p.LogPath())
	return nil
}

func (s *services) dial(addr string) *grpc.ClientConn {
	// NewClient only parses the target: a loopback host:port never fails.
	conn, _ := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	s.conns = append(s.conns, conn)
	return conn
}

// waitServing waits until the service says SERVING, and fails at once if
// any child has exited meanwhile.
func (s *services) waitServing(ctx context.Context, addr, service string) error {
	ctx, cancel := context.WithTimeout(ctx, serveTimeout)
	defer cancel()
	err := procs.WaitHealth(ctx, s.dial(addr), service, healthpb.HealthCheckResponse_SERVING, s.exited)
	if err != nil {
		return fmt.Errorf("%w (at %s)", err, addr)
	}
	return nil
}

// exited says which child has ended, and where its log is.
func (s *services) exited() error {
	for _, p := range s.procs {
		if ended, why := p.Exited(); ended {
			return fmt.Errorf("%w (log %s)", why, p.LogPath())
		}
	}
	return nil
}

// stop ends the children, last started first, and closes the clients.
func (s *services) stop() error {
	var errs []error
	for _, c := range s.conns {
		_ = c.Close() // nothing to do about a close error on the way out
	}
	for i := len(s.procs) - 1; i >= 0; i-- {
		// Every child handles SIGTERM and exits 0; anything else is news.
		if err := s.procs[i].Stop(stopGrace); err != nil {
			errs = append(errs, fmt.Errorf("%w (log %s)", err, s.procs[i].LogPath()))
		}
	}
	return errors.Join(errs...)
}

// serviceAddrs are the fixed addresses in hold mode, else free ones.
func serviceAddrs(cfg Config, name string) (grpcAddr, metricsAddr string, err error) {
	if cfg.Hold {
		return HeldAddrs[name][0], HeldAddrs[name][1], nil
	}
	if grpcAddr, err = procs.FreeAddr(); err != nil {
		return "", "", err
	}
	metricsAddr, err = procs.FreeAddr()
	return grpcAddr, metricsAddr, err
}
