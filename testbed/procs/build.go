package procs

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
)

// Build compiles main packages into dir, side by side. Each pkg is the
// folder of a main package, absolute or relative to the working directory;
// its binary in dir takes the folder's name. The build runs in the folder,
// so it finds its module (or the workspace) as `go build` there would, and
// without -race: the binaries are the system under test, not the test.
// The error carries the compiler's output.
func Build(dir string, pkgs ...string) error {
	errs := make([]error, len(pkgs))
	var wg sync.WaitGroup
	for i, pkg := range pkgs {
		wg.Go(func() { errs[i] = build(dir, pkg) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func build(dir, pkg string) error {
	src, err := filepath.Abs(pkg)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(filepath.Join(dir, filepath.Base(src)))
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = src
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", src, err, output)
	}
	return nil
}
