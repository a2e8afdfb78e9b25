package sandbox_test

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

// A second sandbox, next to the package's one: Stop must end every child
// and remove every file, and a second Stop must be harmless.
func TestStopEndsEveryProcessAndRemovesItsFiles(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.Start(t.Context(), sandbox.Options{})
	require.NoError(t, err)
	pids := sb.Pids()
	require.Len(t, pids, 5)
	_, err = sb.Client.Discovery().ServerVersion()
	require.NoError(t, err)

	require.NoError(t, sb.Stop())
	require.NoError(t, sb.Stop())
	for _, pid := range pids {
		require.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "pid %d still alive", pid)
	}
	_, err = os.Stat(sb.Dir)
	require.True(t, errors.Is(err, os.ErrNotExist), "%s still there", sb.Dir)
}
