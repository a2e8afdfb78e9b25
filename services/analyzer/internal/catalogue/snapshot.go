package catalogue

import (
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// Snapshot is the catalogue as fetched at one moment. It is never
// modified once published.
type Snapshot struct {
	// FetchedAt is when the fetch that produced it finished.
	FetchedAt   time.Time
	Datacenters []cloud.Datacenter
	// offerings holds what each datacenter (by identifier) sells now.
	offerings map[string][]cloud.Offering
	// kubeOffers holds the Managed Kubernetes node sizes each datacenter
	// (by identifier) sells now; their IDs are VPSie's numeric size ids.
	kubeOffers map[string][]cloud.Offering
	// Quota is the account's, fetched with the catalogue; nil when that
	// fetch failed (QuotaErr says why): quota is checked, prices still are.
	Quota    *cloud.Quota
	QuotaErr error
}

// Availability says whether an offering can be ordered in a datacenter.
type Availability int

const (
	// Unknown: no datacenter sells an offering of that name.
	Unknown Availability = iota
	// Elsewhere: it exists, but this datacenter does not sell it now.
	Elsewhere
	// Available: this datacenter sells it now.
	Available
)

// Datacenter finds a datacenter by identifier or name.
func (s *Snapshot) Datacenter(idOrName string) (cloud.Datacenter, bool) {
	for _, dc := range s.Datacenters {
		if dc.ID == idOrName || dc.Name == idOrName {
			return dc, true
		}
	}
	return cloud.Datacenter{}, false
}

// Offering finds an offering (by identifier or name) for a datacenter (by
// identifier or name). When the datacenter does not sell it, the offering
// is returned as another datacenter lists it, with its price there, so a
// node running a withdrawn offering can still be priced.
func (s *Snapshot) Offering(datacenter, offering string) (cloud.Offering, Availability) {
	return s.lookup(s.offerings, datacenter, offering)
}

// KubeOffering is Offering among the Managed Kubernetes node sizes: the
// prices a managed cluster's nodes are billed at.
func (s *Snapshot) KubeOffering(datacenter, offering string) (cloud.Offering, Availability) {
	return s.lookup(s.kubeOffers, datacenter, offering)
}

// KubeOffers lists the Managed Kubernetes node sizes a datacenter (by
// identifier or name) sells, cheapest first; none for an unknown one.
func (s *Snapshot) KubeOffers(datacenter string) []cloud.Offering {
	if dc, ok := s.Datacenter(datacenter); ok {
		return s.kubeOffers[dc.ID]
	}
	return nil
}

func (s *Snapshot) lookup(sold map[string][]cloud.Offering, datacenter, offering string) (cloud.Offering, Availability) {
	if dc, ok := s.Datacenter(datacenter); ok {
		if o, ok := find(sold[dc.ID], offering); ok {
			return o, Available
		}
	}
	for _, dc := range s.Datacenters {
		if o, ok := find(sold[dc.ID], offering); ok {
			return o, Elsewhere
		}
	}
	return cloud.Offering{}, Unknown
}

func find(offerings []cloud.Offering, idOrName string) (cloud.Offering, bool) {
	for _, o := range offerings {
		if o.ID == idOrName || o.Name == idOrName {
			return o, true
		}
	}
	return cloud.Offering{}, false
}
