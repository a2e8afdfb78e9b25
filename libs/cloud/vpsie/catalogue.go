package vpsie

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// ListDatacenters implements cloud.Catalogue, refreshing the cache that
// resolves datacenter names.
func (c *Client) ListDatacenters(ctx context.Context) ([]cloud.Datacenter, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	return c.fetchDatacenters(ctx, "ListDatacenters")
}

func (c *Client) fetchDatacenters(ctx context.Context, op string) ([]cloud.Datacenter, error) {
	data, err := do[[]datacenterData](ctx, c, request{op: op, method: http.MethodGet, path: "/apps/v2/datacenter"})
	if err != nil {
		return nil, err
	}
	dcs := make([]cloud.Datacenter, 0, len(data))
	for _, d := range data {
		if d.Identifier != "" && !d.IsDeleted {
			dcs = append(dcs, d.toDatacenter())
		}
	}
	c.dcMu.Lock()
	c.dcCache = dcs
	c.dcMu.Unlock()
	return slices.Clone(dcs), nil
}

// datacenter resolves an identifier or name. Datacenters rarely change, so
// the list is fetched once, and again only when the name is not in it.
func (c *Client) datacenter(ctx context.Context, op, idOrName string) (cloud.Datacenter, error) {
	c.dcMu.Lock()
	cached := c.dcCache
	c.dcMu.Unlock()
	if dc, ok := findDatacenter(cached, idOrName); ok {
		return dc, nil
	}
	fresh, err := c.fetchDatacenters(ctx, op)
	if err != nil {
		return cloud.Datacenter{}, err
	}
	if dc, ok := findDatacenter(fresh, idOrName); ok {
		return dc, nil
	}
	return cloud.Datacenter{}, cloud.NewError(cloud.ErrNotFound, op, "no datacenter %q", idOrName)
}

func findDatacenter(dcs []cloud.Datacenter, idOrName string) (cloud.Datacenter, bool) {
	i := slices.IndexFunc(dcs, func(d cloud.Datacenter) bool { return d.ID == idOrName || d.Name == idOrName })
	if i < 0 {
		return cloud.Datacenter{}, false
	}
	return dcs[i], true
}

// ListOfferings implements cloud.Catalogue: the plans of every category,
// priced for the datacenter.
func (c *Client) ListOfferings(ctx context.Context, datacenter string) ([]cloud.Offering, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	return c.offerings(ctx, "ListOfferings", datacenter)
}

func (c *Client) offerings(ctx context.Context, op, datacenter string) ([]cloud.Offering, error) {
	dc, err := c.datacenter(ctx, op, datacenter)
	if err != nil {
		return nil, err
	}
	cats, err := do[[]categoryData](ctx, c, request{op: op, method: http.MethodGet, path: "/api/v2/plans/category"})
	if err != nil {
		return nil, err
	}
	var out []cloud.Offering
	for _, cat := range cats {
		form := url.Values{"dcIdentifier": {dc.ID}, "osIdentifier": {c.opts.OSIdentifier},
			"planCatIdentifier": {cat.Identifier}, "isCustom": {"0"}}
		plans, err := do[[]planData](ctx, c, request{op: op, method: http.MethodPost, path: "/apps/v2/resources", form: form})
		if err != nil {
			return nil, err
		}
		for _, p := range plans {
			if p.Identifier != "" {
				out = append(out, p.toOffering(string(cat.Name)))
			}
		}
	}
	slices.SortStableFunc(out, cloud.CompareOfferings)
	return out, nil
}

// GetOffering implements cloud.Catalogue. VPSie cannot look one plan up,
// so it lists the datacenter's; when the plan is missing there, the other
// datacenters tell "unavailable here" from "no such offering".
func (c *Client) GetOffering(ctx context.Context, datacenter, offering string) (cloud.Offering, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	const op = "GetOffering"
	here, err := c.offerings(ctx, op, datacenter)
	if err != nil {
		return cloud.Offering{}, err
	}
	if o, ok := findOffering(here, offering); ok {
		return o, nil
	}
	dcs, err := c.fetchDatacenters(ctx, op)
	if err != nil {
		return cloud.Offering{}, err
	}
	for _, dc := range dcs {
		if dc.ID == datacenter || dc.Name == datacenter {
			continue
		}
		elsewhere, err := c.offerings(ctx, op, dc.ID)
		if err != nil {
			return cloud.Offering{}, err
		}
		if _, ok := findOffering(elsewhere, offering); ok {
			return cloud.Offering{}, cloud.NewError(cloud.ErrOfferingUnavailable, op, "%q is not sold in %q", offering, datacenter)
		}
	}
	return cloud.Offering{}, cloud.NewError(cloud.ErrNotFound, op, "no offering %q", offering)
}

func findOffering(os []cloud.Offering, idOrName string) (cloud.Offering, bool) {
	i := slices.IndexFunc(os, func(o cloud.Offering) bool { return o.ID == idOrName || o.Name == idOrName })
	if i < 0 {
		return cloud.Offering{}, false
	}
	return os[i], true
}
