//go:build !linux

package sandbox

import "syscall"

// childAttr puts a child in its own process group. Only Linux can tie a
// child's life to its parent's; elsewhere Stop and the signal handler of
// sandboxtest are all that end the children.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
