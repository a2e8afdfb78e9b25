// Package golden compares rendered output with testdata/*.golden files;
// `go test ./... -update` rewrites them after a deliberate change.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the output of the tests")

// Assert fails t when got differs from testdata/<name>.golden.
func Assert(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o750))
		require.NoError(t, os.WriteFile(path, got, 0o600))
		return
	}
	want, err := os.ReadFile(path) //nolint:gosec // a path built from the test's own name
	require.NoError(t, err, "no golden file; run go test -update once and review it")
	require.Equal(t, string(want), string(got), "output differs from %s; run go test -update if intended", path)
}
