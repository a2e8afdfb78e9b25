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
	userData   string
	member     *member   // the managed cluster and group; nil for a plain VM
	listedAt   time.Time // when GET /api/v2/vm starts listing it
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
	now := s.opts.Clock.Now()
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
		createdAt: now, listedAt: now.Add(s.listingLag()),
	}
	s.vms[v.identifier] = v
	s.stats.VMsCreated++
	return v
}

// listingLag is the lag in effect. The caller holds s.mu.
func (s *Sim) listingLag() time.Duration {
	if s.faults.ListingLag.Duration > 0 {
		return s.faults.ListingLag.Duration
	}
	return s.opts.ListingLag
}

// listed reports whether GET /api/v2/vm shows v now: a plain VM past its
// listing lag. Managed Kubernetes nodes are listed by their cluster only
// (ASSUMPTION, see libs/cloud/README.md). The caller holds s.mu.
func (s *Sim) listed(v *vm) bool {
	return v.member == nil && !s.opts.Clock.Now().Before(v.listedAt)
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

// markDeleted deletes v and stops its boot; its Node is the caller's to
// remove (leave) once s.mu is released. The caller holds s.mu.
func (s *Sim) markDeleted(v *vm) {
	v.deleted = true
	if v.boot != nil {
		v.boot.Stop()
	}
	s.stats.VMsDeleted++
}
