package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The binaries the sandbox runs, all from tools/sandbox/build.sh.
var binaries = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"}

// EnvBinDir names the folder holding the binaries; the Makefile sets it.
const EnvBinDir = "SANDBOX_BIN_DIR"

// errNoBinaries tells what to run rather than what went wrong inside.
var errNoBinaries = errors.New("sandbox binaries are missing: run `make sandbox-bins` (the first build takes about 15 minutes)")

// locateBinaries returns the folder of the binaries and the folder of
// kwok's stage files beside it: from $SANDBOX_BIN_DIR, else from the build
// script of the repository the working directory is in.
func locateBinaries(binDir string) (bin, stages string, err error) {
	if binDir == "" {
		binDir = os.Getenv(EnvBinDir)
	}
	if binDir == "" {
		if binDir, err = binDirFromScript(); err != nil {
			return "", "", err
		}
	}
	for _, name := range binaries {
		if _, err := os.Stat(filepath.Join(binDir, name)); err != nil {
			return "", "", fmt.Errorf("%w (%s not in %s)", errNoBinaries, name, binDir)
		}
	}
	stages = filepath.Join(filepath.Dir(binDir), "stages")
	if _, err := os.Stat(stages); err != nil {
		return "", "", fmt.Errorf("%w (no kwok stages in %s)", errNoBinaries, stages)
	}
	return binDir, stages, nil
}

func binDirFromScript() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	out, err := exec.Command(filepath.Join(root, "tools", "sandbox", "build.sh"), "--print-dir").Output()
	if err != nil {
		return "", fmt.Errorf("tools/sandbox/build.sh --print-dir: %w", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "bin"), nil
}

// RepoRoot returns the repository holding the working directory: the
// nearest folder above it with a go.work.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the working directory: run from inside the repository or set " + EnvBinDir)
		}
		dir = parent
	}
}
