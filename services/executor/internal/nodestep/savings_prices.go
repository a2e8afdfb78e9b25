package nodestep

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// PriceList prices offerings from the VPSie catalogue, in cents per
// month: a managed group's sizes from the Kubernetes offers (billed at
// their own prices), a vm group's from the plans. It caches what it read:
// an execution's savings checks share one (a price read for the first
// node serves the rest, issue 18's per-execution look-up cache), the
// result reads a list of its own. It is safe for concurrent use.
type PriceList struct {
	Cloud      cloud.Provider
	Datacenter string
	Managed    bool
	mu         sync.Mutex
	cache      map[string]int64
	// lookup finds an offering of a datacenter: Cloud.GetOffering, or the
	// execution's offering cache (the Runner's list shares its look-ups).
	lookup func(ctx context.Context, datacenter, offering string) (cloud.Offering, error)
}

// NewPriceList is the price list of a group's datacenter and mode. It
// reads the datacenter's plans once (a look-up of one would list them
// all anyway), so the old and new offerings cost one listing.
func NewPriceList(c cloud.Provider, datacenter string, managed bool) *PriceList {
	offerings := &offeringCache{}
	lookup := func(ctx context.Context, datacenter, offering string) (cloud.Offering, error) {
		return offerings.get(ctx, c, datacenter, offering)
	}
	return &PriceList{Cloud: c, Datacenter: datacenter, Managed: managed, cache: map[string]int64{}, lookup: lookup}
}

// Cents is the monthly price of offering, in cents.
func (l *PriceList) Cents(ctx context.Context, offering string) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.cache[offering]; ok {
		return c, nil
	}
	if l.Managed {
		return l.kubeCents(ctx, offering)
	}
	o, err := l.lookup(ctx, l.Datacenter, offering)
	if cloud.IsOfferingUnavailable(err) {
		// Running VMs keep their price when the datacenter stops selling
		// the offering; the catalogue still knows it elsewhere.
		o, err = l.elsewhere(ctx, offering)
	}
	if err != nil {
		return 0, err
	}
	c := toCents(o.MonthlyPrice)
	l.cache[offering] = c
	return c, nil
}

// elsewhere is offering as another datacenter sells it.
func (l *PriceList) elsewhere(ctx context.Context, offering string) (cloud.Offering, error) {
	dcs, err := l.Cloud.ListDatacenters(ctx)
	if err != nil {
		return cloud.Offering{}, err
	}
	for _, dc := range dcs {
		if dc.ID == l.Datacenter || dc.Name == l.Datacenter {
			continue
		}
		if o, err := l.lookup(ctx, dc.ID, offering); err == nil {
			return o, nil
		}
	}
	return cloud.Offering{}, fmt.Errorf("offering %s is sold in no datacenter", offering)
}

// kubeCents prices from the Kubernetes offers of the datacenter.
func (l *PriceList) kubeCents(ctx context.Context, offering string) (int64, error) {
	offers, err := l.Cloud.ListKubeOffers(ctx, l.Datacenter)
	if err != nil {
		return 0, err
	}
	for _, o := range offers {
		l.cache[o.Name] = toCents(o.MonthlyPrice)
	}
	c, ok := l.cache[offering]
	if !ok {
		return 0, fmt.Errorf("no Kubernetes offer %s in %s", offering, l.Datacenter)
	}
	return c, nil
}

// Saving is what moving one node from offering from to offering to saves
// a month, in cents; negative when to costs more.
func (l *PriceList) Saving(ctx context.Context, from, to string) (int64, error) {
	old, err := l.Cents(ctx, from)
	if err != nil {
		return 0, err
	}
	now, err := l.Cents(ctx, to)
	if err != nil {
		return 0, err
	}
	return old - now, nil
}

func toCents(monthly float64) int64 { return int64(math.Round(monthly * 100)) }
