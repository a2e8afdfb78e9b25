package procs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Command says what to start.
type Command struct {
	// Name names the child in errors and its log file, LogDir/Name.log.
	Name   string
	Binary string
	Args   []string
	LogDir string
}

// Child is a started process. Its methods are safe for concurrent use.
type Child struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{} // closed when the child has exited and been reaped
	err     error         // how it exited; read only after done
}

// Start runs c with the parent's environment, its stdout and stderr
// together in its log file, and reaps it in the background.
func Start(c Command) (*Child, error) {
	logPath := filepath.Join(c.LogDir, c.Name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.Binary, c.Args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", c.Name, err)
	}
	p := &Child{name: c.Name, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// Name is the child's name, as given to Start.
func (p *Child) Name() string { return p.name }

// LogPath is the file holding the child's output.
func (p *Child) LogPath() string { return p.logPath }

// Pid is the child's process id, which is also its process group's.
func (p *Child) Pid() int { return p.cmd.Process.Pid }

// Exited reports, without waiting, whether the child has ended, and an
// error saying how (a child is not expected to end before Stop, so even
// exit status 0 is reported as one).
func (p *Child) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, fmt.Errorf("%s exited: %w", p.name, exitErr(p.err))
	default:
		return false, nil
	}
}

// Stop sends SIGTERM, then SIGKILL once grace has passed, and waits for
// the exit. The signals go to the child's process group, so they reach
// anything it started too. The error says the child had to be killed or
// did not exit 0; a child that had already exited is Exited's to report,
// and Stop returns nil for it.
func (p *Child) Stop(grace time.Duration) error {
	if ended, _ := p.Exited(); ended {
		return nil
	}
	_ = signalGroup(p.Pid(), syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = signalGroup(p.Pid(), syscall.SIGKILL)
		<-p.done
		return fmt.Errorf("%s did not stop within %s after SIGTERM; killed", p.name, grace)
	}
	if p.err != nil {
		return fmt.Errorf("%s stopped with %w", p.name, p.err)
	}
	return nil
}

// signalGroup signals every process of the group pid leads; a group that
// is already gone is not an error.
func signalGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// errExitedCleanly stands for a child that exited 0 before it was asked to.
var errExitedCleanly = errors.New("exit status 0")

func exitErr(err error) error {
	if err == nil {
		return errExitedCleanly
	}
	return err
}
