package procs_test

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/procs"
)

// startShell runs script under /bin/sh as a child named name.
func startShell(t *testing.T, name, script string) *procs.Child {
	t.Helper()
	p, err := procs.Start(procs.Command{Name: name, Binary: "/bin/sh", Args: []string{"-c", script}, LogDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Stop(time.Second) })
	return p
}

// waitLog polls until the child's last log line is want: the shell has
// then installed its traps.
func waitLog(t *testing.T, p *procs.Child, want string) {
	t.Helper()
	require.Eventually(t, func() bool { return p.Tail(1) == want }, 10*time.Second, 10*time.Millisecond)
}

func waitExit(t *testing.T, p *procs.Child) error {
	t.Helper()
	var why error
	require.Eventually(t, func() bool {
		var ended bool
		ended, why = p.Exited()
		return ended
	}, 10*time.Second, 10*time.Millisecond)
	return why
}

// requireGroupGone polls until no process of the child's group is left:
// the shell's sleep got the signal too, but is reaped by init, not by us.
func requireGroupGone(t *testing.T, p *procs.Child) {
	t.Helper()
	require.Eventually(t, func() bool { return errors.Is(syscall.Kill(-p.Pid(), 0), syscall.ESRCH) },
		10*time.Second, 10*time.Millisecond, "a process of group %d is left", p.Pid())
}

func TestStopEndsAChildThatHandlesSIGTERM(t *testing.T) {
	t.Parallel()
	p := startShell(t, "polite", `trap 'exit 0' TERM; echo ready; while :; do sleep 0.05; done`)
	waitLog(t, p, "ready")
	ended, err := p.Exited()
	require.False(t, ended)
	require.NoError(t, err)

	require.NoError(t, p.Stop(10*time.Second))
	requireGroupGone(t, p)
}

func TestStopKillsAChildThatIgnoresSIGTERM(t *testing.T) {
	t.Parallel()
	p := startShell(t, "stubborn", `trap '' TERM; echo ready; while :; do sleep 0.05; done`)
	waitLog(t, p, "ready")

	err := p.Stop(200 * time.Millisecond)
	require.ErrorContains(t, err, "stubborn did not stop within 200ms after SIGTERM; killed")
	requireGroupGone(t, p)
}

func TestStopReportsAnExitOtherThanZero(t *testing.T) {
	t.Parallel()
	p := startShell(t, "grumpy", `trap 'exit 4' TERM; echo ready; while :; do sleep 0.05; done`)
	waitLog(t, p, "ready")
	require.ErrorContains(t, p.Stop(10*time.Second), "grumpy stopped with exit status 4")
}

func TestExitedSaysHowAnEarlyExitWent(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ script, want string }{
		"a failure keeps its status":     {"exit 3", "early exited: exit status 3"},
		"exit 0 before Stop is news too": {"exit 0", "early exited: exit status 0"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := startShell(t, "early", tc.script)
			require.EqualError(t, waitExit(t, p), tc.want)
			require.NoError(t, p.Stop(time.Second), "an exit already reported is not reported again")
		})
	}
}

func TestLogHoldsStdoutAndStderr(t *testing.T) {
	t.Parallel()
	p := startShell(t, "chatty", `echo one; echo two >&2; echo three`)
	require.Equal(t, "chatty.log", filepath.Base(p.LogPath()))
	require.Equal(t, "chatty", p.Name())
	require.ErrorContains(t, waitExit(t, p), "exit status 0", "the shell ended by itself")
	require.Equal(t, "two\nthree", p.Tail(2))
	require.Equal(t, "one\ntwo\nthree", p.Tail(10), "fewer lines than asked is the whole log")
}

func TestStartFailsForAMissingBinary(t *testing.T) {
	t.Parallel()
	_, err := procs.Start(procs.Command{Name: "ghost", Binary: "/nonexistent/ghost", LogDir: t.TempDir()})
	require.ErrorContains(t, err, "start ghost")
}
