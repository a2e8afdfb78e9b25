package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// The test binary doubles as rebalancectl when asked, so the tests below
// check the real process: its exit codes and where its messages go.
func TestMain(m *testing.M) {
	if os.Getenv("REBALANCECTL_BE_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

func rebalancectl(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...) //nolint:gosec // the test binary itself
	cmd.Env = append(os.Environ(), "REBALANCECTL_BE_MAIN=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return out.String(), errOut.String(), exit.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), errOut.String(), 0
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := lis.Addr().String()
	require.NoError(t, lis.Close())

	stdout, _, code := rebalancectl(t, "--help")
	require.Equal(t, 0, code)
	require.Contains(t, stdout, "rebalancectl [command]")

	_, stderr, code := rebalancectl(t, "get", "exec-1", "--executor", closed)
	require.Equal(t, 1, code, "a failed call")
	require.Contains(t, stderr, "Error: executor ("+closed+") is unavailable")

	_, stderr, code = rebalancectl(t, "lsit")
	require.Equal(t, 2, code, "a usage error")
	require.Contains(t, stderr, "did you mean list?")
}
