package catalog

import (
	"slices"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// Names of the default catalogue's datacenters.
const (
	NYC1 = "dc-nyc1"
	AMS1 = "dc-ams1"
	SGP1 = "dc-sgp1"
)

// size is one row of the default price list.
type size struct {
	name      string
	category  string
	cpu       int
	ramGiB    int
	diskGB    int
	trafficGB int
	monthly   float64
	notIn     []string // datacenters that do not sell it
}

// The price list. Compute plans carry dedicated cores at a similar price
// per vCPU; memory plans give 8 GiB per vCPU. Not every datacenter sells
// every plan, as at VPSie.
var sizes = []size{
	{"standard-2", "Standard", 2, 4, 80, 4000, 12.00, nil},
	{"standard-4", "Standard", 4, 8, 160, 5000, 26.00, nil},
	{"standard-8", "Standard", 8, 16, 320, 6000, 48.00, nil},
	{"standard-16", "Standard", 16, 32, 640, 8000, 96.00, []string{SGP1}},
	{"compute-2", "Compute Optimized", 2, 4, 50, 4000, 12.50, []string{SGP1}},
	{"compute-4", "Compute Optimized", 4, 8, 100, 5000, 24.00, nil},
	{"compute-8", "Compute Optimized", 8, 16, 200, 6000, 47.50, []string{AMS1}},
	{"memory-4", "Memory Optimized", 4, 32, 160, 5000, 40.00, nil},
	{"memory-8", "Memory Optimized", 8, 64, 320, 6000, 79.99, []string{AMS1, SGP1}},
}

// Default returns a fresh copy of the catalogue the simulator serves.
func Default() *Catalog {
	c := &Catalog{Datacenters: []cloud.Datacenter{
		{ID: ID("datacenter", NYC1), Name: NYC1, Country: "US", State: "New York", Active: true},
		{ID: ID("datacenter", AMS1), Name: AMS1, Country: "NL", State: "North Holland", Active: true},
		{ID: ID("datacenter", SGP1), Name: SGP1, Country: "SG", State: "Singapore", Active: true},
	}}
	for _, name := range []string{"Standard", "Compute Optimized", "Memory Optimized"} {
		c.Categories = append(c.Categories, Category{ID: ID("category", name), Name: name})
	}
	for _, s := range sizes {
		c.Offerings = append(c.Offerings, s.entry())
	}
	return c
}

func (s size) entry() Entry {
	e := Entry{
		Offering: cloud.Offering{
			ID: ID("offering", s.name), Name: s.name, Category: s.category,
			CPU: s.cpu, RAMMB: s.ramGiB * 1024, DiskGB: s.diskGB, TrafficGB: s.trafficGB,
			MonthlyPrice: s.monthly,
		},
		CategoryID: ID("category", s.category),
	}
	for _, dc := range []string{NYC1, AMS1, SGP1} {
		if !slices.Contains(s.notIn, dc) {
			e.Datacenters = append(e.Datacenters, ID("datacenter", dc))
		}
	}
	return e
}
