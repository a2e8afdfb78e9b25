// Package app is rebalancectl's command tree. Commands talk to the
// Analyzer, Planner and Executor only through their gRPC APIs.
package app

import (
	"io"
	"os"

	"golang.org/x/term"

	"github.com/vpsie/node-rebalancer/cli/internal/envflag"
)

// Environment is everything the commands take from the process, passed in
// so tests run the real command tree with buffers and a map for the
// environment, in parallel.
type Environment struct {
	Stdin     io.Reader
	Stdout    io.Writer
	Stderr    io.Writer
	LookupEnv envflag.Lookup
	// Terminal says whether Stdout is a terminal, and how wide: watch
	// redraws bars on a terminal and prints one line per event elsewhere.
	Terminal func() (isTerminal bool, width int)
}

// System is the Environment of the running process.
func System() Environment {
	return Environment{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		LookupEnv: os.LookupEnv,
		Terminal:  stdoutTerminal,
	}
}

func stdoutTerminal() (bool, int) {
	fd := int(os.Stdout.Fd()) //nolint:gosec // a file descriptor fits in an int
	if !term.IsTerminal(fd) {
		return false, 0
	}
	width, _, err := term.GetSize(fd)
	if err != nil {
		return true, 0
	}
	return true, width
}
