// Command vpsie-sim serves the VPSie API simulator (package vpsiesim) for
// the demo and for checks from outside Go:
//
//	vpsie-sim --addr 127.0.0.1:8585 --token TOKEN [--kubeconfig PATH]
//
// With a kubeconfig, booted VMs join that cluster as kwok nodes; without
// one they boot and join nothing. Every flag has an environment fallback;
// see options.go. Faults are driven through /_sim/faults (libs/cloud/README.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "vpsie-sim:", err)
		os.Exit(1)
	}
}
