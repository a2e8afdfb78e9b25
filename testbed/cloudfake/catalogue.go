package cloudfake

import (
	"context"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// ListDatacenters implements cloud.Catalogue.
func (p *Provider) ListDatacenters(ctx context.Context) ([]cloud.Datacenter, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpListDatacenters, nil); err != nil {
		return nil, err
	}
	return append([]cloud.Datacenter(nil), p.catalog.Datacenters...), nil
}

// ListOfferings implements cloud.Catalogue.
func (p *Provider) ListOfferings(ctx context.Context, datacenter string) ([]cloud.Offering, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpListOfferings, datacenter); err != nil {
		return nil, err
	}
	return p.offeringsIn(datacenter, "ListOfferings")
}

// GetOffering implements cloud.Catalogue.
func (p *Provider) GetOffering(ctx context.Context, datacenter, offering string) (cloud.Offering, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.begin(ctx, OpGetOffering, [2]string{datacenter, offering}); err != nil {
		return cloud.Offering{}, err
	}
	return p.offering(datacenter, offering, "GetOffering")
}

// offeringsIn lists what the datacenter sells now. The caller holds p.mu.
func (p *Provider) offeringsIn(datacenter, op string) ([]cloud.Offering, error) {
	dc, ok := p.catalog.Datacenter(datacenter)
	if !ok {
		return nil, cloud.NewError(cloud.ErrNotFound, op, "no datacenter %q", datacenter)
	}
	var out []cloud.Offering
	for _, e := range p.catalog.In(dc.ID) {
		if !p.unavailable[[2]string{dc.ID, e.ID}] {
			out = append(out, e.Offering)
		}
	}
	return out, nil
}

// offering finds one offering sold in the datacenter. The caller holds p.mu.
func (p *Provider) offering(datacenter, offering, op string) (cloud.Offering, error) {
	sold, err := p.offeringsIn(datacenter, op)
	if err != nil {
		return cloud.Offering{}, err
	}
	for _, o := range sold {
		if o.ID == offering || o.Name == offering {
			return o, nil
		}
	}
	if _, ok := p.catalog.Offering(offering); ok {
		return cloud.Offering{}, cloud.NewError(cloud.ErrOfferingUnavailable, op, "%q is not sold in %q", offering, datacenter)
	}
	return cloud.Offering{}, cloud.NewError(cloud.ErrNotFound, op, "no offering %q", offering)
}
