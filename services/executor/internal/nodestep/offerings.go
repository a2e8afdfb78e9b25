package nodestep

import (
	"context"
	"slices"
	"sync"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// offeringCache is the catalogue as one execution saw it: every
// replacement of a plan asks for the same one or two offerings, and the
// savings checks price the old and new ones. VPSie cannot look one plan
// up (a look-up lists the datacenter's plans, a request per category),
// so the datacenter's whole list is read once and answers every name in
// it; a name not in it is asked of GetOffering, which tells "not sold
// here" from "no such offering". A catalogue entry does not change within
// an execution. Only answers are kept; an error asks again next time.
type offeringCache struct {
	// mu is held across the calls, so lanes that start together wait for
	// one listing instead of each making its own.
	mu    sync.Mutex
	lists map[string][]cloud.Offering // by datacenter
	byID  map[[2]string]cloud.Offering
}

// offering is the named offering of datacenter, from the cache or VPSie.
func (r *Runner) offering(ctx context.Context, datacenter, name string) (cloud.Offering, error) {
	return r.offeringCache.get(ctx, r.env.Cloud, datacenter, name)
}

// get is the named offering of datacenter, from the cache or cat.
func (c *offeringCache) get(ctx context.Context, cat cloud.Catalogue, datacenter, name string) (cloud.Offering, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := [2]string{datacenter, name}
	if o, ok := c.byID[key]; ok {
		return o, nil
	}
	list, ok := c.lists[datacenter]
	if !ok {
		var err error
		if list, err = cat.ListOfferings(ctx, datacenter); err != nil {
			return cloud.Offering{}, err
		}
		if c.lists == nil {
			c.lists, c.byID = map[string][]cloud.Offering{}, map[[2]string]cloud.Offering{}
		}
		c.lists[datacenter] = list
	}
	if i := slices.IndexFunc(list, func(o cloud.Offering) bool { return o.ID == name || o.Name == name }); i >= 0 {
		c.byID[key] = list[i]
		return list[i], nil
	}
	o, err := cat.GetOffering(ctx, datacenter, name)
	if err != nil {
		return o, err
	}
	c.byID[key] = o
	return o, nil
}
