package sandbox

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The repository's CRDs parse, and each names the resource it serves.
func TestReadCRDsOfTheRepository(t *testing.T) {
	t.Parallel()
	root, err := RepoRoot()
	require.NoError(t, err)
	crds, err := readCRDs(filepath.Join(root, "deploy", "crds"))
	require.NoError(t, err)
	require.NotEmpty(t, crds)
	names := map[string]bool{}
	for _, crd := range crds {
		gvr, err := servedResource(crd)
		require.NoError(t, err)
		names[gvr.String()] = true
	}
	require.True(t, names["autoscaler.vpsie.io/v1alpha1, Resource=nodegroups"], "%v", names)
}

func TestReadCRDsOfAnEmptyFolderFails(t *testing.T) {
	t.Parallel()
	_, err := readCRDs(t.TempDir())
	require.ErrorContains(t, err, "no CRDs")
}
