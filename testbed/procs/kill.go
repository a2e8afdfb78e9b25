package procs

import "syscall"

// Kill sends SIGKILL to the child's process group at once, as a crash or
// an OOM kill would end it, and waits until it has been reaped. A child
// that had already exited is not an error; Exited reports how it went.
func (p *Child) Kill() error {
	if ended, _ := p.Exited(); ended {
		return nil
	}
	if err := signalGroup(p.Pid(), syscall.SIGKILL); err != nil {
		return err
	}
	<-p.done
	return nil
}
