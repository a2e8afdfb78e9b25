package authtest

import (
	"path/filepath"
	"testing"

	"github.com/vpsie/node-rebalancer/testbed/procs"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// binDir holds the planner binary the binary test runs.
var binDir string

func TestMain(m *testing.M) { sandboxtest.Main(m, buildPlanner) }

func buildPlanner(sb *sandbox.Sandbox) error {
	root, err := sandbox.RepoRoot()
	if err != nil {
		return err
	}
	binDir = filepath.Join(sb.Dir, "bin")
	return procs.Build(binDir, filepath.Join(root, "services", "planner", "cmd", "planner"))
}
