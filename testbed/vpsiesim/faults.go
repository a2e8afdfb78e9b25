package vpsiesim

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// The endpoints, as named in Faults.Endpoints and Stats.Calls.
const (
	EndpointAll            = "*" // faults for every endpoint without an entry of its own
	EndpointVMList         = "vm.list"
	EndpointVMGet          = "vm.get"
	EndpointVMCreate       = "vm.create"
	EndpointVMDelete       = "vm.delete"
	EndpointPlanCategories = "plans.category"
	EndpointPlans          = "plans.resources"
	EndpointDatacenters    = "datacenters"
	EndpointQuota          = "quota"
	EndpointVMPending      = "vm.pending"
	EndpointK8sOffers      = "k8s.offers"
	EndpointK8sCluster     = "k8s.cluster"
	EndpointK8sGroups      = "k8s.groups"
	EndpointK8sAdd         = "k8s.add"    // mutating: AfterEffectRate applies
	EndpointK8sDelete      = "k8s.delete" // mutating: AfterEffectRate applies
)

var endpoints = []string{EndpointAll, EndpointVMList, EndpointVMGet, EndpointVMCreate, EndpointVMDelete,
	EndpointPlanCategories, EndpointPlans, EndpointDatacenters, EndpointQuota, EndpointVMPending,
	EndpointK8sOffers, EndpointK8sCluster, EndpointK8sGroups, EndpointK8sAdd, EndpointK8sDelete}

// Faults is everything the simulator does wrong on purpose. The zero value
// is a well-behaved cloud. It is also the JSON body of PUT /_sim/faults.
type Faults struct {
	// Endpoints holds faults by endpoint name; EndpointAll covers the rest.
	Endpoints map[string]EndpointFaults `json:"endpoints,omitempty"`
	// Unavailable offerings cannot be ordered in, nor are listed for, the
	// datacenter (identifiers or names).
	Unavailable []Placement `json:"unavailable,omitempty"`
	// QuotaExhausted makes every account's quota full.
	QuotaExhausted bool `json:"quotaExhausted,omitempty"`
	// NeverJoin lists hostnames whose VMs boot but never join the cluster.
	NeverJoin []string `json:"neverJoin,omitempty"`
	// NeverJoinGroups lists managed Kubernetes group names whose new nodes
	// boot but never join: managed hostnames are VPSie's choice, so tests
	// cannot name them in advance.
	NeverJoinGroups []string `json:"neverJoinGroups,omitempty"`
	// ListingLag, while set, overrides Options.ListingLag: how long a new
	// VM shows only in GET /apps/v2/vm/pending ("3s").
	ListingLag Duration `json:"listingLag,omitzero"`
}

// Placement is an offering in a datacenter.
type Placement struct {
	Datacenter string `json:"datacenter"`
	Offering   string `json:"offering"`
}

// EndpointFaults are the faults of one endpoint.
type EndpointFaults struct {
	// ErrorRate is the fraction of calls answered with an injected error.
	ErrorRate float64 `json:"errorRate,omitempty"`
	// Statuses are drawn from, evenly, for injected errors (default 500,
	// 502, 503 and 429).
	Statuses []int `json:"statuses,omitempty"`
	// AfterEffectRate is the fraction of injected 5xx on creates and
	// deletes that strike after the work was done: the ambiguous failure.
	// 429s always strike before, as a throttle does.
	AfterEffectRate float64 `json:"afterEffectRate,omitempty"`
	// Burst429 answers the next N calls with 429; it counts down.
	Burst429 int `json:"burst429,omitempty"`
	// RetryAfterSeconds is sent as Retry-After with injected 429 and 503.
	RetryAfterSeconds int `json:"retryAfterSeconds,omitempty"`
	// ErrorsAsHTTP200 sends every error envelope, injected or real, with
	// HTTP 200, as VPSie sometimes does.
	ErrorsAsHTTP200 bool `json:"errorsAsHttp200,omitempty"`
	// Latency delays every answer, after the work is done.
	Latency Duration `json:"latency,omitzero"`
}

// Duration is a time.Duration written as "250ms" in JSON.
type Duration struct{ time.Duration }

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"250ms\": %w", err)
	}
	v, err := time.ParseDuration(s)
	d.Duration = v
	return err
}

// validate checks rates, statuses and names, and resolves placements to
// identifiers.
func (s *Sim) validate(f Faults) (Faults, error) {
	for name, ef := range f.Endpoints {
		if !slices.Contains(endpoints, name) {
			return f, fmt.Errorf("unknown endpoint %q (known: %v)", name, endpoints)
		}
		if ef.ErrorRate < 0 || ef.ErrorRate > 1 || ef.AfterEffectRate < 0 || ef.AfterEffectRate > 1 {
			return f, fmt.Errorf("%s: rates are fractions between 0 and 1", name)
		}
		for _, st := range ef.Statuses {
			if st < 400 || st > 599 {
				return f, fmt.Errorf("%s: status %d is not an error status", name, st)
			}
		}
		if ef.Burst429 < 0 || ef.RetryAfterSeconds < 0 || ef.Latency.Duration < 0 {
			return f, fmt.Errorf("%s: counts and durations cannot be negative", name)
		}
	}
	if f.ListingLag.Duration < 0 {
		return f, fmt.Errorf("listingLag cannot be negative")
	}
	f = f.clone()
	for i, p := range f.Unavailable {
		dc, ok := s.opts.Catalog.Datacenter(p.Datacenter)
		e, ok2 := s.opts.Catalog.Offering(p.Offering)
		if !ok || !ok2 {
			return f, fmt.Errorf("unavailable: no offering %q in datacenter %q", p.Offering, p.Datacenter)
		}
		f.Unavailable[i] = Placement{Datacenter: dc.ID, Offering: e.ID}
	}
	return f, nil
}
