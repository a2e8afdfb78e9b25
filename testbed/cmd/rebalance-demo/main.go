// Command rebalance-demo is `make demo`: a real rebalance of a node group
// on a local sandbox cluster, the VPSie simulator and the three services,
// ending with one summary line and exit code 0 only if it held.
//
//	rebalance-demo [--strategy rolling|surge|blue-green] [--nodes 6] [--bin-dir bin]
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rebalance-demo:", err)
		os.Exit(1)
	}
}
