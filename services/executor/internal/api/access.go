package api

import (
	"context"

	"github.com/vpsie/node-rebalancer/libs/access"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
)

// authorize installs the Executor's access rules (libs/access): calls
// naming an execution by ID are authorized on its NodeGroup, found through
// the engine.
func (s *Server) authorize(r server.Registrar) {
	r.Authorize(rebalancerv1.ExecutorService_ServiceDesc.ServiceName, access.Executor(s.locate))
}

// locate is the NodeGroup of execution id; found is false when there is
// no such execution. Until the engine is ready it answers Unavailable.
func (s *Server) locate(ctx context.Context, id string) (namespace, group string, found bool, err error) {
	e, err := s.get()
	if err != nil {
		return "", "", false, err
	}
	st, err := e.Get(ctx, id)
	if engine.IsNotFound(err) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	return st.GetNamespace(), st.GetNodeGroup(), true, nil
}
