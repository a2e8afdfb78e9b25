package demo

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestInterruptStopsEveryProcess is Ctrl-C during the rebalance: the
// command exits 1 and leaves no process behind, neither a service nor a
// component of its own sandbox.
func TestInterruptStopsEveryProcess(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(filepath.Join(binDir, "rebalance-demo"), "--nodes", "2", "--bin-dir", binDir)
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	var pids []int
	var sandboxDir string
	interrupted := false
	var out strings.Builder
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		out.WriteString(line + "\n")
		if m := startedPid.FindStringSubmatch(line); m != nil {
			pid, _ := strconv.Atoi(m[1])
			pids = append(pids, pid)
		}
		if m := sandboxFolder.FindString(line); m != "" {
			sandboxDir = m
		}
		if strings.HasPrefix(line, "== Executing") {
			require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
			interrupted = true
			break
		}
	}
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	t.Log("\n" + out.String())
	require.True(t, interrupted, "the demo reached its execution")
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 1, exit.ExitCode())
	require.Len(t, pids, 4, "vpsie-sim and the three services started")
	require.NotEmpty(t, sandboxDir)
	for _, pid := range pids {
		require.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "pid %d is gone", pid)
	}
	require.Empty(t, processesNaming(t, sandboxDir), "no sandbox component is left")
}

var (
	startedPid    = regexp.MustCompile(`started \S+ +pid (\d+),`)
	sandboxFolder = regexp.MustCompile(`/\S*node-rebalancer-sandbox-\d+`)
)

// processesNaming lists the processes whose command line contains s.
func processesNaming(t *testing.T, s string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	var found []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmdline), s) {
			found = append(found, e.Name()+": "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return found
}
