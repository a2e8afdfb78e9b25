// Package cloudfake is an in-memory cloud.Provider for unit tests, in the
// shape of Karpenter's fake cloud provider: it answers from the default
// catalogue, records every call, and returns an injected error on demand.
// It passes the same contract suite (cloudtest) as the VPSie client.
package cloudfake

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

var _ cloud.Provider = (*Provider)(nil)

// Op names a Provider method, for NextError and Calls.
type Op string

// The methods of cloud.Provider.
const (
	OpListDatacenters Op = "ListDatacenters"
	OpListOfferings   Op = "ListOfferings"
	OpGetOffering     Op = "GetOffering"
	OpCreateVM        Op = "CreateVM"
	OpFindVM          Op = "FindVM"
	OpGetVM           Op = "GetVM"
	OpListVMs         Op = "ListVMs"
	OpDeleteVM        Op = "DeleteVM"
	OpQuota           Op = "Quota"

	OpListKubeOffers Op = "ListKubeOffers"
	OpGetKubeCluster Op = "GetKubeCluster"
	OpListKubeGroups Op = "ListKubeGroups"
	OpAddKubeNode    Op = "AddKubeNode"
	OpDeleteKubeNode Op = "DeleteKubeNode"
)

// Call is one recorded call and its argument (a CreateSpec, an identifier,
// a hostname, a datacenter, a cluster identifier, a KubeNodeArgs or a
// KubeNodeRef; nil when the method takes none).
type Call struct {
	Op  Op
	Arg any
}

// Provider is the fake. The zero value is not usable; call New.
type Provider struct {
	mu          sync.Mutex
	catalog     *catalog.Catalog
	vms         map[string]cloud.VM // by identifier
	nextNumeric int64
	quota       cloud.Quota // maxima only; use is computed from vms
	unavailable map[[2]string]bool
	nextErr     map[Op]error
	calls       []Call
	now         func() time.Time
	clusters    map[string]*kubeCluster // by identifier
	nextGroupID int64
}

// DefaultQuota is the fake account's quota until LimitVMs changes it.
func DefaultQuota() cloud.Quota { return cloud.Quota{MaxVMs: 100, MaxCPU: 800, MaxRAMMB: 1 << 21} }

// New returns a fake selling the default catalogue, with DefaultQuota.
func New() *Provider {
	return &Provider{
		catalog:     catalog.Default(),
		vms:         map[string]cloud.VM{},
		quota:       DefaultQuota(),
		unavailable: map[[2]string]bool{},
		nextErr:     map[Op]error{},
		now:         time.Now,
		clusters:    map[string]*kubeCluster{},
	}
}

// NextError makes the next call of op fail with err, once, before it has
// any effect.
func (p *Provider) NextError(op Op, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextErr[op] = err
}

// Calls returns the recorded calls of op, or of every method when op is "".
func (p *Provider) Calls(op Op) []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(p.calls), func(c Call) bool { return op != "" && c.Op != op })
}

// LimitVMs sets how many VMs the account may hold.
func (p *Provider) LimitVMs(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.quota.MaxVMs = n
}

// MakeUnavailable stops the datacenter (identifier or name) selling the
// offering (identifier or name).
func (p *Provider) MakeUnavailable(datacenter, offering string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	dc, _ := p.catalog.Datacenter(datacenter)
	e, _ := p.catalog.Offering(offering)
	p.unavailable[[2]string{dc.ID, e.ID}] = true
}

// PutVM stores vm as if it had been created, for tests that start from
// existing machines. A missing identifier is generated.
func (p *Provider) PutVM(vm cloud.VM) cloud.VM {
	p.mu.Lock()
	defer p.mu.Unlock()
	if vm.ID == "" {
		vm.ID = uuid.NewString()
	}
	p.vms[vm.ID] = vm
	return vm
}

// VMs returns every stored VM, by identifier.
func (p *Provider) VMs() map[string]cloud.VM {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.vms)
}

// begin records a call and returns the error to fail it with, if any:
// the context's, or one injected by NextError. The caller holds p.mu.
func (p *Provider) begin(ctx context.Context, op Op, arg any) error {
	p.calls = append(p.calls, Call{Op: op, Arg: arg})
	if err := ctx.Err(); err != nil {
		return err
	}
	if err, ok := p.nextErr[op]; ok {
		delete(p.nextErr, op)
		return err
	}
	return nil
}
