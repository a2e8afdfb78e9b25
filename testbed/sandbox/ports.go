package sandbox

import "github.com/vpsie/node-rebalancer/testbed/procs"

// freePorts picks the components' distinct loopback ports.
var freePorts = procs.FreePorts
