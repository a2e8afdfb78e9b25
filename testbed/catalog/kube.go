package catalog

import (
	"slices"
	"strconv"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// KubeOfferID is the numeric id, as a string, under which managed
// Kubernetes sells the offering named name, "" when there is none. VPSie
// numbers its Kubernetes node sizes apart from its plan UUIDs; here the
// number is the offering's place in the catalogue plus one, so it is
// stable per name across runs.
func (c *Catalog) KubeOfferID(name string) string {
	i := slices.IndexFunc(c.Offerings, func(e Entry) bool { return e.Name == name || e.ID == name })
	if i < 0 {
		return ""
	}
	return strconv.Itoa(i + 1)
}

// KubeOffering finds an offering by its managed Kubernetes id, its plan
// identifier or its name, and returns it with ID set to the Kubernetes id.
func (c *Catalog) KubeOffering(idOrName string) (Entry, bool) {
	for i, e := range c.Offerings {
		kubeID := strconv.Itoa(i + 1)
		if e.Name == idOrName || e.ID == idOrName || kubeID == idOrName {
			e.ID = kubeID
			return e, true
		}
	}
	return Entry{}, false
}

// KubeOffers lists the managed Kubernetes sizes sold in the datacenter,
// cheapest first, with ID set to each size's numeric id.
func (c *Catalog) KubeOffers(dcID string) []cloud.Offering {
	var out []cloud.Offering
	for _, e := range c.In(dcID) {
		o := e.Offering
		o.ID = c.KubeOfferID(e.Name)
		out = append(out, o)
	}
	return out
}
