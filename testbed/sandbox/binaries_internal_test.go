package sandbox

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Missing binaries must say what to run, not just what is missing.
func TestMissingBinariesNameTheMakeTarget(t *testing.T) {
	t.Parallel()
	_, _, err := locateBinaries(t.TempDir())
	require.ErrorIs(t, err, errNoBinaries)
	require.ErrorContains(t, err, "make sandbox-bins")
}
