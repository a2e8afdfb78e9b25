//go:build !linux

package demo

import "syscall"

// childAttr puts a child in its own process group; only Linux has
// Pdeathsig, so elsewhere a demo killed outright leaves its children.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
