package app_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vpsie/node-rebalancer/cli/internal/app"
)

// result is what one rebalancectl invocation left behind.
type result struct {
	stdout, stderr string
	code           int
}

// invocation runs the real command tree in-process with its own
// environment, standard streams and terminal.
type invocation struct {
	env      map[string]string
	stdin    string
	terminal bool
}

func (in invocation) run(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := app.Environment{
		Stdin: strings.NewReader(in.stdin), Stdout: &stdout, Stderr: &stderr,
		LookupEnv: func(k string) (string, bool) { v, ok := in.env[k]; return v, ok },
		Terminal:  func() (bool, int) { return in.terminal, 120 },
	}
	err := app.Execute(t.Context(), env, args)
	code := app.Report(&stderr, err)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// with returns a copy of env with more variables.
func with(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
