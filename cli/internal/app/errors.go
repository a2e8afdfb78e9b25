package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vpsie/node-rebalancer/cli/internal/rpcerr"
)

// Exit codes: 0 when the command did what was asked, 1 when it failed (a
// service refused, a watched execution did not succeed), 2 when the command
// line itself was wrong.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// usageError is a command line that cannot be run as written.
type usageError struct {
	err     error
	command string // "rebalancectl plan", for the hint; set by Execute
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// errInterrupted reports a command stopped by Ctrl-C or SIGTERM.
var errInterrupted = errors.New("interrupted")

// Report prints err for people on w and returns the exit code for it.
func Report(w io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	var usage *usageError
	if errors.As(err, &usage) {
		command := usage.command
		if command == "" {
			command = "rebalancectl"
		}
		// Nothing is left to tell anyone when standard error fails.
		_, _ = fmt.Fprintf(w, "Error: %v\nRun '%s --help' for usage.\n", usage.err, command)
		return ExitUsage
	}
	if errors.Is(err, context.Canceled) {
		err = errInterrupted
	}
	lines := rpcerr.Lines(err)
	lines[0] = "Error: " + lines[0]
	_, _ = io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return ExitError
}
