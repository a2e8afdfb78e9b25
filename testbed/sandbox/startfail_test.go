package sandbox_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

// A start that fails part-way says why, quotes the components' logs, and
// leaves no folder behind (and, through Stop, no process). Not parallel:
// it points TMPDIR at a folder of its own, so sandboxes that other test
// packages start and stop meanwhile do not show up in its comparison.
func TestFailedStartExplainsAndCleansUp(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	pattern := filepath.Join(os.TempDir(), "node-rebalancer-sandbox-*")
	before, err := filepath.Glob(pattern)
	require.NoError(t, err)
	require.Empty(t, before)

	_, err = sandbox.Start(t.Context(), sandbox.Options{CRDDir: t.TempDir()})
	require.ErrorContains(t, err, "no CRDs")
	require.ErrorContains(t, err, "--- kube-apiserver, last lines of its log:")

	after, err := filepath.Glob(pattern)
	require.NoError(t, err)
	require.Empty(t, after)
}
