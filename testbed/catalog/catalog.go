// Package catalog is the VPSie catalogue the simulator serves and the fake
// answers from: datacenters, plan categories and offerings with prices.
// Identifiers are UUIDs, as at VPSie, derived from names so that every run
// (and every test) sees the same ones.
package catalog

import (
	"slices"

	"github.com/google/uuid"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// Category is a plan category ("Standard", "Compute Optimized", …).
type Category struct {
	ID   string
	Name string
}

// Entry is an offering and the datacenters it can be ordered in.
type Entry struct {
	cloud.Offering
	CategoryID  string
	Datacenters []string // datacenter identifiers
}

// AvailableIn reports whether the offering is sold in the datacenter.
func (e Entry) AvailableIn(dcID string) bool { return slices.Contains(e.Datacenters, dcID) }

// Catalog is a whole catalogue. Its methods only read it.
type Catalog struct {
	Datacenters []cloud.Datacenter
	Categories  []Category
	Offerings   []Entry
}

// ID derives a stable UUID for a catalogue object of kind and name.
func ID(kind, name string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://vpsie-sim/"+kind+"/"+name)).String()
}

// Datacenter finds a datacenter by identifier or name.
func (c *Catalog) Datacenter(idOrName string) (cloud.Datacenter, bool) {
	i := slices.IndexFunc(c.Datacenters, func(d cloud.Datacenter) bool {
		return d.ID == idOrName || d.Name == idOrName
	})
	if i < 0 {
		return cloud.Datacenter{}, false
	}
	return c.Datacenters[i], true
}

// Offering finds an offering by identifier or name.
func (c *Catalog) Offering(idOrName string) (Entry, bool) {
	i := slices.IndexFunc(c.Offerings, func(e Entry) bool {
		return e.ID == idOrName || e.Name == idOrName
	})
	if i < 0 {
		return Entry{}, false
	}
	return c.Offerings[i], true
}

// Category finds a category by identifier.
func (c *Catalog) Category(id string) (Category, bool) {
	i := slices.IndexFunc(c.Categories, func(k Category) bool { return k.ID == id })
	if i < 0 {
		return Category{}, false
	}
	return c.Categories[i], true
}

// In lists the offerings sold in the datacenter, cheapest first.
func (c *Catalog) In(dcID string) []Entry {
	var out []Entry
	for _, e := range c.Offerings {
		if e.AvailableIn(dcID) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return cloud.CompareOfferings(a.Offering, b.Offering) })
	return out
}
