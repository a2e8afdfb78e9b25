package demo

import (
	"path/filepath"
	"testing"

	"github.com/vpsie/node-rebalancer/testbed/procs"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// One sandbox for the package, and the binaries the demo runs, built from
// source into the sandbox's folder (removed with it), so `go test` alone
// runs the scenario without `make build`.
func TestMain(m *testing.M) { sandboxtest.Main(m, buildBinaries) }

// binDir holds the binaries once TestMain's set-up ran.
var binDir string

// sources are the main packages the demo runs, as folders of the
// repository; each binary takes its folder's name.
var sources = []string{
	"testbed/cmd/vpsie-sim",
	"services/analyzer/cmd/analyzer",
	"services/planner/cmd/planner",
	"services/executor/cmd/executor",
	// The command itself, for the interrupt test.
	"testbed/cmd/rebalance-demo",
}

func buildBinaries(sb *sandbox.Sandbox) error {
	root, err := sandbox.RepoRoot()
	if err != nil {
		return err
	}
	binDir = filepath.Join(sb.Dir, "bin")
	folders := make([]string, len(sources))
	for i, src := range sources {
		folders[i] = filepath.Join(root, src)
	}
	return procs.Build(binDir, folders...)
}
