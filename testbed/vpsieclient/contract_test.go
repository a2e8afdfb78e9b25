package vpsieclient_test

import (
	"testing"

	"github.com/vpsie/node-rebalancer/testbed/cloudtest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// TestContract runs the suite the fake passes against the client talking
// HTTP to the simulator.
func TestContract(t *testing.T) {
	t.Parallel()
	cloudtest.Run(t, func(t *testing.T) cloudtest.Subject {
		srv := startSim(t, vpsiesim.Options{})
		return cloudtest.Subject{Provider: newClient(t, srv.URL), Faults: simFaults{t: t, sim: srv.Sim}, Kube: srv.Sim}
	})
}
