package checks

import (
	"fmt"
	"math"
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"
)

// Offer is an opportunity priced from the cached catalogue.
type Offer struct {
	Opportunity *rebalancerv1.Opportunity
	// Datacenter is the group's, as its spec names it.
	Datacenter string
	// Catalogue is the snapshot priced from; nil when none is loaded.
	Catalogue *catalogue.Snapshot
	// CatalogueErr is the latest refresh's failure, if it failed.
	CatalogueErr error
	// Age of the snapshot at analysis time.
	Age time.Duration
	// Current and Target as the catalogue lists them, with whether the
	// group's datacenter sells them now.
	Current, Target         cloud.Offering
	CurrentSold, TargetSold catalogue.Availability
}

// NewOffer prices opp for a group in datacenter from snap (nil when none).
func NewOffer(opp *rebalancerv1.Opportunity, datacenter string, snap *catalogue.Snapshot, snapErr error, now time.Time) *Offer {
	o := &Offer{Opportunity: opp, Datacenter: datacenter, Catalogue: snap, CatalogueErr: snapErr}
	if snap == nil {
		return o
	}
	o.Age = now.Sub(snap.FetchedAt)
	o.Current, o.CurrentSold = snap.Offering(datacenter, opp.GetCurrentOffering())
	o.Target, o.TargetSold = snap.Offering(datacenter, opp.GetTargetOffering())
	return o
}

// Priced reports whether both offerings have a price.
func (o *Offer) Priced() bool {
	return o.Catalogue != nil && o.CurrentSold != catalogue.Unknown && o.TargetSold != catalogue.Unknown
}

// Cents converts a catalogue price (USD) to the API's whole cents.
func Cents(usd float64) int64 { return int64(math.Round(usd * 100)) }

// SavingsPerNodeCents is what replacing one node saves a month; 0 unpriced.
func (o *Offer) SavingsPerNodeCents() int64 {
	if !o.Priced() {
		return 0
	}
	return Cents(o.Current.MonthlyPrice) - Cents(o.Target.MonthlyPrice)
}

func dollars(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%d.%02d", sign, cents/100, cents%100)
}

func describeOffering(o cloud.Offering) string {
	return fmt.Sprintf("%s (%d vCPU, %d MB, %s/month)", o.Name, o.CPU, o.RAMMB, dollars(Cents(o.MonthlyPrice)))
}
