package vpsiesim

import (
	"maps"
	"slices"
	"time"
)

// SetFaults replaces the faults in effect.
func (s *Sim) SetFaults(f Faults) error {
	f, err := s.validate(f)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	return nil
}

// Faults returns the faults in effect (bursts show what is left of them).
func (s *Sim) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.clone()
}

func (f Faults) clone() Faults {
	f.Endpoints = maps.Clone(f.Endpoints)
	f.Unavailable = slices.Clone(f.Unavailable)
	f.NeverJoin = slices.Clone(f.NeverJoin)
	f.NeverJoinGroups = slices.Clone(f.NeverJoinGroups)
	return f
}

// UpdateFaults changes the faults in effect through edit, atomically.
func (s *Sim) UpdateFaults(edit func(*Faults)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults.clone()
	if f.Endpoints == nil {
		f.Endpoints = map[string]EndpointFaults{}
	}
	edit(&f)
	f, err := s.validate(f)
	if err != nil {
		return err
	}
	s.faults = f
	return nil
}

// SetEndpointFaults sets the faults of one endpoint (or EndpointAll).
func (s *Sim) SetEndpointFaults(endpoint string, ef EndpointFaults) error {
	return s.UpdateFaults(func(f *Faults) { f.Endpoints[endpoint] = ef })
}

// MakeUnavailable stops the datacenter selling the offering (identifiers
// or names).
func (s *Sim) MakeUnavailable(datacenter, offering string) error {
	return s.UpdateFaults(func(f *Faults) {
		f.Unavailable = append(f.Unavailable, Placement{Datacenter: datacenter, Offering: offering})
	})
}

// NeverJoin makes VMs with this hostname boot but never join the cluster.
func (s *Sim) NeverJoin(hostname string) error {
	return s.UpdateFaults(func(f *Faults) { f.NeverJoin = append(f.NeverJoin, hostname) })
}

// NeverJoinGroup makes the new nodes of managed Kubernetes groups with
// this name boot but never join the cluster.
func (s *Sim) NeverJoinGroup(group string) error {
	return s.UpdateFaults(func(f *Faults) { f.NeverJoinGroups = append(f.NeverJoinGroups, group) })
}

// SetListingLag sets Faults.ListingLag.
func (s *Sim) SetListingLag(d time.Duration) error {
	return s.UpdateFaults(func(f *Faults) { f.ListingLag = Duration{d} })
}

// ResetFaults makes the simulator well-behaved again.
func (s *Sim) ResetFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = Faults{}
}
