package vpsiesim

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"k8s.io/utils/clock"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// The states a simulated VM goes through.
const (
	stateBuilding = "building"
	stateRunning  = "running"
)

// vm is one simulated machine. Its fields are guarded by Sim.mu, except
// joined, which joinMu guards.
type vm struct {
	numericID  int64
	identifier string
	account    *account
	hostname   string
	offering   catalog.Entry
	dc         cloud.Datacenter
	tags       []string
	state      string
	deleted    bool
	createdAt  time.Time
	boot       clock.Timer

	// joinMu serialises joining and leaving the cluster, so a delete that
	// races a boot never leaves a Node behind.
	joinMu sync.Mutex
	joined bool
}

// addVM records a new building VM. A live VM of the same account with the
// same hostname makes it a duplicate: the harm a client's retries must
// never cause, so Stats counts it. The caller holds s.mu.
func (s *Sim) addVM(a *account, hostname string, e catalog.Entry, dc cloud.Datacenter, tags []string) *vm {
	for _, v := range s.vms {
		if v.account == a && v.hostname == hostname && !v.deleted {
			s.stats.DuplicateVMs++
			break
		}
	}
	s.lastID++
	v := &vm{
		numericID: s.lastID, identifier: uuid.NewString(), account: a,
		hostname: hostname, offering: e, dc: dc, tags: tags, state: stateBuilding,
		createdAt: s.opts.Clock.Now(),
	}
	s.vms[v.identifier] = v
	s.stats.VMsCreated++
	return v
}

// live returns the account's VMs that are not deleted, oldest first.
// The caller holds s.mu.
func (s *Sim) live(a *account) []*vm {
	var out []*vm
	for _, v := range s.vms {
		if v.account == a && !v.deleted {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(x, y *vm) int { return cmp.Compare(x.numericID, y.numericID) })
	return out
}
