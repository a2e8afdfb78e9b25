//go:build unix

package service

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// One executor per data folder: a second is refused until the first let go.
func TestTheDataDirHasOneExecutorAtATime(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	release, err := lockDataDir(dir)
	require.NoError(t, err)
	_, err = lockDataDir(dir)
	require.ErrorContains(t, err, "another executor uses it")
	require.NoError(t, release())
	again, err := lockDataDir(dir)
	require.NoError(t, err)
	require.NoError(t, again())
}
