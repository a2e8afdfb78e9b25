//go:build unix

package progress_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process (server, clients and watchers
// alike) has used so far, user and system.
func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
