package demo

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// One sandbox for the package, and the binaries the demo runs, built from
// source into the sandbox's folder (removed with it), so `go test` alone
// runs the scenario without `make build`.
func TestMain(m *testing.M) { sandboxtest.Main(m, buildBinaries) }

// binDir holds the binaries once TestMain's set-up ran.
var binDir string

// sources are the main packages the demo runs: module folder, package.
var sources = map[string][2]string{
	"vpsie-sim": {"testbed", "./cmd/vpsie-sim"},
	"analyzer":  {"services/analyzer", "./cmd/analyzer"},
	"planner":   {"services/planner", "./cmd/planner"},
	"executor":  {"services/executor", "./cmd/executor"},
	// The command itself, for the interrupt test.
	"rebalance-demo": {"testbed", "./cmd/rebalance-demo"},
}

func buildBinaries(sb *sandbox.Sandbox) error {
	root, err := sandbox.RepoRoot()
	if err != nil {
		return err
	}
	binDir = filepath.Join(sb.Dir, "bin")
	var wg sync.WaitGroup
	errs := make([]error, 0, len(sources))
	var mu sync.Mutex
	for name, src := range sources {
		wg.Go(func() {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, name), src[1])
			cmd.Dir = filepath.Join(root, src[0])
			if out, err := cmd.CombinedOutput(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("go build %s: %w\n%s", name, err, out))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
