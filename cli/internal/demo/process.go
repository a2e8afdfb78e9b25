package demo

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// stopGrace is how long a service gets to stop after SIGTERM before it is
// killed; the services drain for --drain-period, which the demo sets short.
const stopGrace = 10 * time.Second

// process is one child: a service or the simulator.
type process struct {
	name string
	log  string // path of its combined output
	cmd  *exec.Cmd
	done chan struct{} // closed once it exited
	err  error         // its exit, set before done closes
}

// startProcess runs bin with args, its output in logDir/name.log.
func startProcess(name, bin, logDir string, args []string, env []string) (*process, error) {
	path := filepath.Join(logDir, name+".log")
	out, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		_ = out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, log: path, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = out.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports, without waiting, whether the process has ended and how.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		return true, fmt.Errorf("%s exited: %w (log %s)", p.name, exitErr(p.err), p.log)
	default:
		return false, nil
	}
}

// stop sends SIGTERM, then SIGKILL after stopGrace, and waits for the exit.
func (p *process) stop() error {
	if ended, _ := p.exited(); ended {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %s after SIGTERM; killed", p.name, stopGrace)
	}
	// Every child handles SIGTERM and exits 0; anything else is news.
	if p.err != nil {
		return fmt.Errorf("%s stopped with %w (log %s)", p.name, p.err, p.log)
	}
	return nil
}

// errExitedCleanly stands for a child that exited 0 before it was asked to.
var errExitedCleanly = errors.New("exit status 0")

func exitErr(err error) error {
	if err == nil {
		return errExitedCleanly
	}
	return err
}
