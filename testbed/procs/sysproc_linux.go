package procs

import "syscall"

// childAttr puts a child in its own process group, so a Ctrl-C at the
// terminal reaches the parent only and the parent stops the children in
// order, and has the kernel kill the child if the parent dies without
// stopping it (a panic, a test timeout, SIGKILL).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
