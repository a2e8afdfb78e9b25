package cloudfake

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"github.com/google/uuid"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// CreateVM implements cloud.VMs. The VM is running at once: the fake has
// no boot and joins nothing.
func (p *Provider) CreateVM(ctx context.Context, spec cloud.CreateSpec) (cloud.VM, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpCreateVM, spec); err != nil {
		return cloud.VM{}, err
	}
	if err := spec.Validate(); err != nil {
		return cloud.VM{}, err
	}
	// FirstAttempt promises no VM has the hostname; VPSie would then order
	// blind and make a second one, and so does the fake, so that a caller
	// breaking the promise leaves a duplicate a test can see.
	if vm, ok := p.byHostname(spec.Hostname); ok && !spec.FirstAttempt {
		return clone(vm), nil
	}
	o, err := p.offering(spec.Datacenter, spec.OfferingID, "CreateVM")
	if err != nil {
		return cloud.VM{}, err
	}
	if !p.quotaNow().Allows(o) {
		return cloud.VM{}, cloud.NewError(cloud.ErrQuotaExceeded, "CreateVM", "no room for %s", o.Name)
	}
	dc, _ := p.catalog.Datacenter(spec.Datacenter)
	p.nextNumeric++
	vm := cloud.VM{
		ID: uuid.NewString(), NumericID: p.nextNumeric, Hostname: spec.Hostname, DatacenterID: dc.ID,
		CPU: o.CPU, RAMMB: o.RAMMB, DiskGB: o.DiskGB, Status: cloud.VMRunning,
		Labels: maps.Clone(spec.Labels), Taints: slices.Clone(spec.Taints), Tags: slices.Clone(spec.Tags), CreatedAt: p.now(),
	}
	p.vms[vm.ID] = vm
	return clone(vm), nil
}

// FindVM implements cloud.VMs.
func (p *Provider) FindVM(ctx context.Context, hostname string) (cloud.VM, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpFindVM, hostname); err != nil {
		return cloud.VM{}, err
	}
	if vm, ok := p.byHostname(hostname); ok {
		return clone(vm), nil
	}
	return cloud.VM{}, cloud.NewError(cloud.ErrNotFound, "FindVM", "no VM named %q", hostname)
}

// GetVM implements cloud.VMs.
func (p *Provider) GetVM(ctx context.Context, id string) (cloud.VM, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpGetVM, id); err != nil {
		return cloud.VM{}, err
	}
	if vm, ok := p.vms[id]; ok {
		return clone(vm), nil
	}
	return cloud.VM{}, cloud.NewError(cloud.ErrNotFound, "GetVM", "no VM %q", id)
}

// ListVMs implements cloud.VMs, oldest first.
func (p *Provider) ListVMs(ctx context.Context) ([]cloud.VM, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpListVMs, nil); err != nil {
		return nil, err
	}
	out := make([]cloud.VM, 0, len(p.vms))
	for _, vm := range p.vms {
		out = append(out, clone(vm))
	}
	slices.SortFunc(out, func(a, b cloud.VM) int { return cmp.Compare(a.NumericID, b.NumericID) })
	return out, nil
}

// DeleteVM implements cloud.VMs; deleting a missing VM succeeds.
func (p *Provider) DeleteVM(ctx context.Context, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpDeleteVM, id); err != nil {
		return err
	}
	delete(p.vms, id)
	return nil
}

// Quota implements cloud.QuotaReader.
func (p *Provider) Quota(ctx context.Context) (cloud.Quota, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpQuota, nil); err != nil {
		return cloud.Quota{}, err
	}
	return p.quotaNow(), nil
}

// quotaNow adds current use, VMs and managed nodes, to the limits. The
// caller holds p.mu.
func (p *Provider) quotaNow() cloud.Quota {
	q := p.quota
	q.UsedVMs, q.UsedCPU, q.UsedRAMMB = p.kubeUse()
	for _, vm := range p.vms {
		q.UsedVMs++
		q.UsedCPU += vm.CPU
		q.UsedRAMMB += vm.RAMMB
	}
	return q
}

// byHostname finds a VM by hostname. The caller holds p.mu.
func (p *Provider) byHostname(hostname string) (cloud.VM, bool) {
	for _, vm := range p.vms {
		if vm.Hostname == hostname {
			return vm, true
		}
	}
	return cloud.VM{}, false
}

// clone copies the maps and slices of a VM so callers cannot edit the store.
func clone(vm cloud.VM) cloud.VM {
	vm.Labels = maps.Clone(vm.Labels)
	vm.Taints = slices.Clone(vm.Taints)
	vm.Tags = slices.Clone(vm.Tags)
	return vm
}
