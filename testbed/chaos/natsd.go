package chaos

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vpsie/node-rebalancer/testbed/procs"
)

// natsd is a run's nats-server: the e2e tests' natsd binary (the
// project's embedded server in a process of its own), on a fixed port and
// store, so a restart brings it back where its clients reconnect, with
// what it had stored.
type natsd struct {
	binary, store, logDir string
	port                  int
	starts                int

	mu   sync.Mutex
	proc *procs.Child
}

func startNATS(ctx context.Context, binary, logDir string) (*natsd, error) {
	ports, err := procs.FreePorts(1)
	if err != nil {
		return nil, err
	}
	n := &natsd{binary: binary, store: filepath.Join(logDir, "jetstream"), logDir: logDir, port: ports[0]}
	return n, n.start(ctx)
}

// URL is where clients connect.
func (n *natsd) URL() string { return "nats://127.0.0.1:" + strconv.Itoa(n.port) }

// start runs the server and waits until it printed its URL: it serves then.
func (n *natsd) start(ctx context.Context) error {
	n.starts++
	p, err := procs.Start(procs.Command{Name: fmt.Sprintf("natsd-%d", n.starts), Binary: n.binary, LogDir: n.logDir,
		Args: []string{n.store, strconv.Itoa(n.port)}})
	if err != nil {
		return err
	}
	n.mu.Lock()
	n.proc = p
	n.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, serveWait)
	defer cancel()
	for !strings.Contains(p.Tail(5), "nats://") {
		if ended, why := p.Exited(); ended {
			return fmt.Errorf("natsd: %w (log %s)", why, p.LogPath())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("natsd never served: %w (log %s)", ctx.Err(), p.LogPath())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// crash SIGKILLs the server, as a crashed or evicted NATS pod.
func (n *natsd) crash() {
	n.mu.Lock()
	p := n.proc
	n.mu.Unlock()
	_ = p.Kill() // a process we started and hold: signalling it cannot fail but for ESRCH, already handled
}

// stop ends the server; the error says it did not stop cleanly.
func (n *natsd) stop() error {
	n.mu.Lock()
	p := n.proc
	n.mu.Unlock()
	return p.Stop(stopGrace)
}
