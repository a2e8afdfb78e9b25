package checks

import (
	"fmt"
	"math"
	"time"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/catalogue"
)

// Offer is an opportunity priced from the cached catalogue.
type Offer struct {
	Opportunity *rebalancerv1.Opportunity
	// Datacenter is the group's, as its spec names it.
	Datacenter string
	// Managed: priced from the Managed Kubernetes node sizes (the managed
	// mode), else from the VM plans (the vm mode).
	Managed bool
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

// NewOffer prices opp for a group in datacenter from snap (nil when
// none), at the prices of the group's provisioning mode: a managed
// cluster's nodes are billed as Kubernetes node sizes, plain VMs as plans.
func NewOffer(opp *rebalancerv1.Opportunity, datacenter string, mode v1alpha1.ProvisioningMode,
	snap *catalogue.Snapshot, snapErr error, now time.Time) *Offer {
	o := &Offer{Opportunity: opp, Datacenter: datacenter, Managed: mode != v1alpha1.ProvisioningVM,
		Catalogue: snap, CatalogueErr: snapErr}
	if snap == nil {
		return o
	}
	o.Age = now.Sub(snap.FetchedAt)
	o.Current, o.CurrentSold = o.Find(opp.GetCurrentOffering())
	o.Target, o.TargetSold = o.Find(opp.GetTargetOffering())
	return o
}

// Find looks an offering up at the offer's prices, in its datacenter
// first (see catalogue.Snapshot.Offering). The catalogue must be loaded.
func (o *Offer) Find(offering string) (cloud.Offering, catalogue.Availability) {
	if o.Managed {
		return o.Catalogue.KubeOffering(o.Datacenter, offering)
	}
	return o.Catalogue.Offering(o.Datacenter, offering)
}

// priceList names where the offer's prices come from, for messages.
func (o *Offer) priceList() string {
	if o.Managed {
		return "VPSie catalogue (Managed Kubernetes node sizes)"
	}
	return "VPSie catalogue"
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
