package main

import (
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// The test binary doubles as the command: up re-executes itself as
// `run`, and with this variable set that reaches main, not the tests.
const actAsCommand = "SANDBOX_CMD_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(actAsCommand) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func command(t *testing.T, args ...string) string {
	t.Helper()
	self, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(self, args...)
	// A race-enabled binary sleeps a second at exit by default, to let
	// late reports in; the command runs five times per test.
	cmd.Env = append(os.Environ(), actAsCommand+"=1", "GORACE=atexit_sleep_ms=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return string(out)
}

// What make sandbox-up and sandbox-down do: a sandbox in the background
// whose kubeconfig works, a second up that changes nothing, and a down that
// leaves no process and no state file.
func TestUpThenDown(t *testing.T) {
	dir := t.TempDir()
	t.Cleanup(func() { command(t, "down", "-dir", dir) })
	command(t, "up", "-dir", dir)
	require.Contains(t, command(t, "up", "-dir", dir), "already running")

	files, err := newStateFiles(dir)
	require.NoError(t, err)
	cfg, err := clientcmd.BuildConfigFromFlags("", files.kubeconfig)
	require.NoError(t, err)
	client, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(t.Context())
	require.NoError(t, err)
	require.Equal(t, "ok", string(body))

	pids, err := readPids(files.children)
	require.NoError(t, err)
	owner, ok := files.runningPid()
	require.True(t, ok)
	require.Len(t, pids, 5)

	require.Contains(t, command(t, "down", "-dir", dir), "no process left")
	for _, pid := range append(pids, owner) {
		require.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "pid %d", pid)
	}
	for _, path := range []string{files.kubeconfig, files.pid, files.children} {
		_, err := os.Stat(path)
		require.ErrorIs(t, err, os.ErrNotExist, path)
	}
	require.Contains(t, command(t, "down", "-dir", dir), "none running")
}
