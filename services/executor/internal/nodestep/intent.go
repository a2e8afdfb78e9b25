package nodestep

import (
	"sync"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// unsentCreates are the hostnames whose create intent this Runner wrote
// and for which it has sent no create since: the record says
// PROVISIONING under a hostname that no earlier write said so, and a
// create goes out only after reading that intent back from the record.
// No VM can have such a hostname yet, so its first create needs no
// look-up (cloud.CreateSpec.FirstAttempt) and a delete of its
// replacement none either.
//
// It lives in memory on purpose: a Runner made for a resumed execution,
// another replica, or a retry after an answer that was lost knows of no
// intent, and looks the hostname up, as it must when a create may have
// been sent.
type unsentCreates struct {
	mu    sync.Mutex
	hosts map[string]bool
}

// wrote notes an intent this Runner persisted.
func (u *unsentCreates) wrote(hostname string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.hosts == nil {
		u.hosts = map[string]bool{}
	}
	u.hosts[hostname] = true
}

// take reports whether no create for hostname was sent yet, and counts
// the one about to go out: it says so once.
func (u *unsentCreates) take(hostname string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	first := u.hosts[hostname]
	delete(u.hosts, hostname)
	return first
}

// unsent reports, without counting anything, whether no create for
// hostname was sent yet.
func (u *unsentCreates) unsent(hostname string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.hosts[hostname]
}

// newIntent is the hostname whose create a write starts: one that moves
// a vm-mode node into PROVISIONING from an earlier phase, or starts a
// further attempt (a VM that never joined is replaced under a new
// hostname, naming.Hostname's attempt), "" for any other write. Hostnames
// are per plan, node and attempt, and attempts only grow, so such a
// hostname was never in a PROVISIONING record before: nothing was sent
// under it.
func newIntent(before rebalancerv1.NodePhase, beforeAttempts int, ne *rebalancerv1.NodeExecution, nb *store.NodeBook) string {
	if ne.GetPhase() != rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING || ne.GetNewHostname() == "" {
		return ""
	}
	if before < rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING || nb.ProvisionAttempts > beforeAttempts {
		return ne.GetNewHostname()
	}
	return ""
}
