//go:build !linux

package procs

import "syscall"

// childAttr puts a child in its own process group. Only Linux can tie a
// child's life to its parent's; elsewhere the parent's Stop calls are all
// that end the children.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
