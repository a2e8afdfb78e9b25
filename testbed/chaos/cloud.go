package chaos

import (
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// The simulator's token, and the join token its plain VMs need in their
// user data to join the sandbox.
const (
	simToken  = "chaos-token"
	joinToken = "chaos-join.0123456789abcdef"
	osImage   = "os-chaos"
)

// slowCreate delays the create answer, after the VM was ordered, when the
// owner is to be killed as provisioning starts: the kill then lands
// between the order and the record of it.
const slowCreate = time.Second

// cloudFaults are the scenario's VPSie faults, set once the plan is made
// and cleared once the execution ended. An endpoint with an entry of its
// own loses the "*" entry, so the create endpoint repeats the 5xx.
func (r *run) cloudFaults() vpsiesim.Faults {
	f := r.sc.Faults
	var all vpsiesim.EndpointFaults
	if f.Cloud5xx {
		all = vpsiesim.EndpointFaults{ErrorRate: 0.2, Statuses: []int{500, 502, 503}, AfterEffectRate: 0.5}
	}
	create := all
	create.Burst429, create.RetryAfterSeconds = f.Burst429, 1
	if f.Kill != nil && f.Kill.Kind == rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING {
		create.Latency = vpsiesim.Duration{Duration: slowCreate}
	}
	createEndpoint := vpsiesim.EndpointVMCreate
	var neverJoin []string
	if r.sc.Mode == "managed" {
		createEndpoint = vpsiesim.EndpointK8sAdd
		if f.NeverJoin {
			neverJoin = []string{managedGroupName(target)}
		}
	}
	return vpsiesim.Faults{
		Endpoints:       map[string]vpsiesim.EndpointFaults{vpsiesim.EndpointAll: all, createEndpoint: create},
		NeverJoinGroups: neverJoin,
	}
}

// upFrontFaults names the faults in effect from the start of the
// execution, for the injected count.
func (r *run) upFrontFaults() []string {
	f := r.sc.Faults
	var names []string
	if f.Cloud5xx {
		names = append(names, FaultCloud5xx)
	}
	if f.Burst429 > 0 {
		names = append(names, FaultBurst429)
	}
	if f.NeverJoin && r.sc.Mode == "managed" {
		names = append(names, FaultNeverJoin)
	}
	if f.BlockingPDB {
		names = append(names, FaultBlockingPDB)
	}
	return names
}
