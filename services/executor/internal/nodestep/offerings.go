package nodestep

import (
	"context"
	"sync"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// offeringCache keeps the offerings one execution's nodes resolved, by
// datacenter and name: every replacement of a plan asks for the same one
// or two, and a catalogue entry does not change within an execution. Only
// answers are kept; an error asks again next time.
type offeringCache struct {
	mu   sync.Mutex
	byID map[[2]string]cloud.Offering
}

// offering is the named offering of datacenter, from the cache or VPSie.
func (r *Runner) offering(ctx context.Context, datacenter, name string) (cloud.Offering, error) {
	c := &r.offeringCache
	key := [2]string{datacenter, name}
	c.mu.Lock()
	o, ok := c.byID[key]
	c.mu.Unlock()
	if ok {
		return o, nil
	}
	o, err := r.env.Cloud.GetOffering(ctx, datacenter, name)
	if err != nil {
		return o, err
	}
	c.mu.Lock()
	if c.byID == nil {
		c.byID = map[[2]string]cloud.Offering{}
	}
	c.byID[key] = o
	c.mu.Unlock()
	return o, nil
}
