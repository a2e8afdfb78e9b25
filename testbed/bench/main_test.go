package bench

import (
	"path/filepath"
	"testing"

	"github.com/vpsie/node-rebalancer/testbed/procs"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// One sandbox for the package, and the Planner and Executor built from
// source into its folder, so the measurement runs what ships.
func TestMain(m *testing.M) { sandboxtest.Main(m, buildBinaries) }

func buildBinaries(sb *sandbox.Sandbox) error {
	root, err := sandbox.RepoRoot()
	if err != nil {
		return err
	}
	binDir = filepath.Join(sb.Dir, "bin")
	return procs.Build(binDir, filepath.Join(root, "services", "planner", "cmd", "planner"),
		filepath.Join(root, "services", "executor", "cmd", "executor"))
}
