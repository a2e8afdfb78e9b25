package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vpsie/node-rebalancer/libs/server"
)

// DefaultDataDir is where a single machine keeps the embedded
// nats-server's JetStream (executions and their events) between runs:
// $XDG_STATE_HOME/node-rebalancer/executor, else
// ~/.local/state/node-rebalancer/executor (the XDG default for state that
// must outlive a restart but is not worth backing up). "" when neither
// variable nor a home folder is known: Check then asks for --data-dir.
func DefaultDataDir(getenv func(string) string) string {
	if state := getenv("XDG_STATE_HOME"); filepath.IsAbs(state) {
		return filepath.Join(state, "node-rebalancer", "executor")
	}
	if home := getenv("HOME"); filepath.IsAbs(home) {
		return filepath.Join(home, ".local", "state", "node-rebalancer", "executor")
	}
	return ""
}

// storeDir is the embedded server's JetStream folder: the data folder,
// created if needed (owner-only: it holds every plan) and locked for this
// process, or with an ephemeral store a temporary one removed when the
// Executor stops. The warning says plainly what the temporary store costs.
func storeDir(s *server.Server, n NATS) (string, error) {
	if !n.Ephemeral {
		if err := os.MkdirAll(n.DataDir, 0o700); err != nil {
			return "", fmt.Errorf("--data-dir: %w", err)
		}
		release, err := lockDataDir(n.DataDir)
		if err != nil {
			return "", err
		}
		s.OnStop(func(context.Context) error { return release() })
		return n.DataDir, nil
	}
	dir, err := os.MkdirTemp("", "executor-jetstream-*")
	if err != nil {
		return "", fmt.Errorf("--ephemeral-store: %w", err)
	}
	s.Logger().Warn("WARNING: --ephemeral-store: executions live in a temporary folder and are lost when this process stops or dies; an unfinished execution is then neither finished nor rolled back here (the reconciler still reclaims what it left). Use --data-dir for anything but a throwaway test",
		"store", dir)
	s.OnStop(func(context.Context) error { return os.RemoveAll(dir) })
	return dir, nil
}
