package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The Makefile passes flags; the variables are the fallback when the
// command runs alone. Not parallel: the tests set the process's variables.
func TestFlagsWinOverVariablesWhichWinOverDefaults(t *testing.T) {
	cfg, err := parse(nil)
	require.NoError(t, err)
	require.Equal(t, "rolling", cfg.Strategy)
	require.Equal(t, 6, cfg.Nodes)
	require.True(t, filepath.IsAbs(cfg.BinDir), "bin dir %s is made absolute", cfg.BinDir)
	cfg.LogDir = t.TempDir() // run makes one
	require.NoError(t, cfg.Validate(), "the defaults are valid")

	t.Setenv("STRATEGY", "surge")
	t.Setenv("NODES", "4")
	cfg, err = parse(nil)
	require.NoError(t, err)
	require.Equal(t, "surge", cfg.Strategy)
	require.Equal(t, 4, cfg.Nodes)

	cfg, err = parse([]string{"--strategy", "blue-green", "--nodes", "3"})
	require.NoError(t, err)
	require.Equal(t, "blue-green", cfg.Strategy)
	require.Equal(t, 3, cfg.Nodes)
}

func TestANodeCountThatIsNoNumberIsRefused(t *testing.T) {
	t.Setenv("NODES", "six")
	_, err := parse(nil)
	require.ErrorContains(t, err, "NODES")
}
