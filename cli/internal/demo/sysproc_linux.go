package demo

import "syscall"

// childAttr puts a child in its own process group, so a Ctrl-C at the
// terminal reaches the demo only and the demo stops its children in order,
// and has the kernel kill the child if the demo dies without stopping it.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
