package service

import (
	"context"

	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
)

// stepKube builds the informer caches the node steps read through and
// wake on, one set for the process (engine.Deps.StepKube). Setup starts
// them, and waits for them to sync, before the engine opens, so no step
// reads an empty cache. They stop when s stops, after the engine: this
// is registered before the engine's stop, and s runs its stops in reverse.
func stepKube(s *server.Server, d Deps) *nodestep.KubeCache {
	c := nodestep.NewKubeCache(d.Kube)
	s.OnStop(func(context.Context) error { c.Stop(); return nil })
	return c
}
