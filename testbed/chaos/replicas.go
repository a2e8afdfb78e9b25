package chaos

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/procs"
)

// replica is one Executor process. It keeps its flags and ports across
// restarts: a killed replica comes back exactly as it was started, as a
// restarted pod would.
type replica struct {
	id, binary, logDir string
	args               []string
	conn               *grpc.ClientConn
	api                rebalancerv1.ExecutorServiceClient

	mu     sync.Mutex
	proc   *procs.Child
	starts int
	killed bool // by the campaign; an exit it did not cause is news
}

func newReplica(id, binary, logDir string, args []string) (*replica, error) {
	grpcAddr, err := procs.FreeAddr()
	if err != nil {
		return nil, err
	}
	metricsAddr, err := procs.FreeAddr()
	if err != nil {
		return nil, err
	}
	r := &replica{id: id, binary: binary, logDir: logDir,
		args: append([]string{"--grpc-addr", grpcAddr, "--metrics-addr", metricsAddr, "--replica-id", id}, args...)}
	// NewClient only parses the target: a loopback host:port never fails.
	r.conn, _ = grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	r.api = rebalancerv1.NewExecutorServiceClient(r.conn)
	return r, nil
}

// start runs the process; each start has a log of its own.
func (r *replica) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts++
	p, err := procs.Start(procs.Command{Name: fmt.Sprintf("%s-%d", r.id, r.starts), Binary: r.binary, Args: r.args, LogDir: r.logDir})
	if err != nil {
		return err
	}
	r.proc, r.killed = p, false
	return nil
}

// waitServing waits until the replica serves the Executor API.
func (r *replica) waitServing(ctx context.Context) error {
	return waitServing(ctx, r.conn, rebalancerv1.ExecutorService_ServiceDesc.ServiceName, r.process())
}

func (r *replica) process() *procs.Child {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.proc
}

// kill SIGKILLs the process.
func (r *replica) kill() {
	r.mu.Lock()
	r.killed = true
	p := r.proc
	r.mu.Unlock()
	_ = p.Kill() // our own child: nothing to report but an exit Exited already tells
}

// down reports whether the process has ended, and whether by itself.
func (r *replica) down() (ended, byItself bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ended, _ = r.proc.Exited()
	return ended, ended && !r.killed
}

// stop ends the process and closes the client.
func (r *replica) stop() error {
	_ = r.conn.Close()
	err := r.process().Stop(stopGrace)
	if err != nil {
		return fmt.Errorf("%w (log %s)", err, r.process().LogPath())
	}
	return nil
}

// fleet is a run's Executor replicas.
type fleet []*replica

// live is a replica whose process runs, to call; the first if none does.
func (f fleet) live() *replica {
	for _, r := range f {
		if ended, _ := r.down(); !ended {
			return r
		}
	}
	return f[0]
}

// byID is the replica named id, or nil.
func (f fleet) byID(id string) *replica {
	for _, r := range f {
		if r.id == id {
			return r
		}
	}
	return nil
}

func (f fleet) stop() error {
	var errs []error
	for _, r := range f {
		errs = append(errs, r.stop())
	}
	return errors.Join(errs...)
}
