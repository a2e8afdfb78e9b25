package vpsie

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// DefaultListingMaxAge is how long a listing of the account's VMs answers
// look-ups of the VMs it holds (Options.ListingMaxAge).
const DefaultListingMaxAge = 5 * time.Second

// recentList is the newest complete listing of the account's VMs. VPSie
// has no look-up by hostname, so each look-up reads every page of the
// account (12 requests a node on a 200-VM account): kept for a few
// seconds, one listing answers the look-ups of every lane. It only ever
// says that a VM exists: a hostname it lacks is looked up afresh, since
// a VM ordered since the listing would be missing from it and "not
// found" leads to a create. A VM the client deletes leaves it at once.
// It keeps running VMs only: a VM still building is about to change, and
// a caller polling FindVM for it to run must see it change.
type recentList struct {
	mu     sync.Mutex
	at     time.Time // when the listing began: it holds every VM listed by then
	byHost map[string]cloud.VM
	// forgotAt is when the client last deleted a VM: a listing begun
	// before may still hold it, and is not kept.
	forgotAt time.Time
}

// keep stores a complete listing begun at at, unless a newer one is kept.
func (r *recentList) keep(at time.Time, vms []cloud.VM) {
	byHost := make(map[string]cloud.VM, len(vms))
	seen := make(map[string]bool, len(vms))
	for _, vm := range vms { // oldest first: the oldest of a hostname wins, as in lookup
		key := strings.ToLower(vm.Hostname)
		if !seen[key] && vm.ID != "" && vm.Status == cloud.VMRunning {
			byHost[key] = vm
		}
		seen[key] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if at.Before(r.at) || at.Before(r.forgotAt) {
		return
	}
	r.at, r.byHost = at, byHost
}

// find returns the VM named hostname if a listing begun within maxAge of
// now holds it.
func (r *recentList) find(hostname string, now time.Time, maxAge time.Duration) (cloud.VM, bool) {
	if maxAge <= 0 {
		return cloud.VM{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byHost == nil || now.Sub(r.at) > maxAge {
		return cloud.VM{}, false
	}
	vm, ok := r.byHost[strings.ToLower(hostname)]
	if !ok {
		return cloud.VM{}, false
	}
	vm.Labels, vm.Taints, vm.Tags = maps.Clone(vm.Labels), slices.Clone(vm.Taints), slices.Clone(vm.Tags)
	return vm, true
}

// forget drops the VM id (deleted), so no look-up finds it any more.
func (r *recentList) forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forgotAt = time.Now()
	for host, vm := range r.byHost {
		if vm.ID == id {
			delete(r.byHost, host)
		}
	}
}
