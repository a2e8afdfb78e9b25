// Command sandbox runs a sandbox cluster outside of tests, for the demo and
// for poking at with kubectl:
//
//	sandbox up   [-dir .sandbox]  start one in the background, return when ready
//	sandbox down [-dir .sandbox]  stop it and check that no process is left
//	sandbox run  [-dir .sandbox]  run one in the foreground until interrupted
//
// The folder receives kubeconfig (an admin kubeconfig with its credentials
// inline), sandbox.pid, the components' pids and sandbox.log.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if err := dispatch(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

func dispatch(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: sandbox up|down|run [-dir DIR]")
	}
	flags := flag.NewFlagSet("sandbox "+args[0], flag.ContinueOnError)
	dir := flags.String("dir", ".sandbox", "folder for the kubeconfig, pid files and log")
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	files, err := newStateFiles(*dir)
	if err != nil {
		return err
	}
	switch args[0] {
	case "up":
		return up(files)
	case "down":
		return down(files)
	case "run":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return run(ctx, files)
	default:
		return fmt.Errorf("unknown command %q: want up, down or run", args[0])
	}
}
