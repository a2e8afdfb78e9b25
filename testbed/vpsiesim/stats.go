package vpsiesim

import "maps"

// Stats count what the simulator saw and did. It is also the body of
// GET /_sim/stats.
type Stats struct {
	Calls          map[string]int `json:"calls"` // by endpoint name
	Unauthorized   int            `json:"unauthorized"`
	InjectedErrors int            `json:"injectedErrors"`
	VMsCreated     int            `json:"vmsCreated"`
	VMsDeleted     int            `json:"vmsDeleted"`
	VMsLive        int            `json:"vmsLive"`
	// DuplicateVMs counts VMs created while the account already had a live
	// VM of the same hostname: what a careless retry does.
	DuplicateVMs int `json:"duplicateVMs"`
	NodesJoined  int `json:"nodesJoined"`
	NodesRemoved int `json:"nodesRemoved"`
}

// Stats returns the counters so far.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Calls = maps.Clone(s.stats.Calls)
	st.VMsLive = st.VMsCreated - st.VMsDeleted
	return st
}

func (s *Sim) count(endpoint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Calls[endpoint]++
}
